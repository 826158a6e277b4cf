/** Bad renderer input (an unknown theme name, a non-string Markdown). */
export class RenderError extends Error {
  override name = 'RenderError';
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
  }
}
