/**
 * The project root the server serves: every path a tool is given is resolved against it, and a path that
 * leaves it is refused. An agent passes paths it read somewhere (a chat, a web page); without this boundary a
 * prompt could make the server read `~/.ssh/id_rsa` as a "post" and send it to WeChat.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** A tool was given a path that is not inside the server's root (after symlinks are followed). */
export class PathOutsideRootError extends Error {
  /** The path as the tool was given it. */
  readonly path: string;
  /** The server's root (absolute, symlinks resolved). */
  readonly root: string;
  constructor(given: string, root: string) {
    super(
      `${given} is outside the server's root ${root}: give a path inside it, or start md2wx-mcp with --root <dir> (MD2WX_MCP_ROOT) set to a folder that holds the post`,
    );
    this.name = 'PathOutsideRootError';
    this.path = given;
    this.root = root;
  }
}

function inside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}

/**
 * Resolves `given` (relative to `root`, or absolute) and checks it stays inside `root`, following symlinks of
 * the path's existing part so a link inside the root that points out of it is refused too. A path that does
 * not exist yet is checked by its nearest existing parent.
 *
 * @param root absolute directory, symlinks already resolved (see {@link openRoot}).
 * @returns the absolute path, as given (symlinks not resolved, so messages show the user's names).
 * @throws PathOutsideRootError when the path, or what it links to, leaves `root`.
 */
export async function resolveInRoot(root: string, given: string): Promise<string> {
  const absolute = path.resolve(root, given);
  let existing = absolute;
  let rest = '';
  for (;;) {
    try {
      const real = path.join(await realpath(existing), rest);
      if (!inside(root, real)) throw new PathOutsideRootError(given, root);
      return absolute;
    } catch (error) {
      if (error instanceof PathOutsideRootError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest = path.join(path.basename(existing), rest);
      existing = parent;
    }
  }
}

/**
 * The root as the server will compare paths against it: absolute, symlinks resolved.
 * @throws Error naming the directory when it does not exist.
 */
export async function openRoot(dir: string): Promise<string> {
  try {
    return await realpath(path.resolve(dir));
  } catch (error) {
    throw new Error(`md2wx-mcp root ${path.resolve(dir)} does not exist: create it or pass --root <dir>`, {
      cause: error,
    });
  }
}
