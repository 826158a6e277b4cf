/** The typed errors and exit codes, from @md2wx/publish (its light `errors` entry: nothing heavy loads). */
export * from '@md2wx/publish/errors';
