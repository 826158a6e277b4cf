export { corpusDir, corpusPath, hasCorpus, repoRoot, requireCorpus } from './corpus.js';
