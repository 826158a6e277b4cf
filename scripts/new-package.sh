#!/usr/bin/env bash
# Scaffold packages/<dir> as an ESM TypeScript workspace package: scripts/new-package.sh <dir> <npm-name> "<description>"
set -euo pipefail
dir="packages/$1"; name="$2"; desc="$3"
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "description": "$desc",
  "type": "module",
  "license": "MIT",
  "engines": { "node": ">=20.19" },
  "main": "./dist/index.js",
  "types": "./dist/index.d.ts",
  "exports": {
    ".": {
      "@md2wx/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  },
  "files": ["dist"],
  "publishConfig": { "access": "public" },
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc --noEmit",
    "lint": "biome check .",
    "test": "vitest run"
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src/**/*.ts", "test/**/*.ts", "bench/**/*.ts"]
}
JSON
cat > "$dir/tsconfig.build.json" <<JSON
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "noEmit": false, "outDir": "dist", "rootDir": "src", "customConditions": [], "inlineSources": true },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.test.ts"]
}
JSON
cat > "$dir/vitest.config.ts" <<TS
import { packageConfig } from '../../vitest.shared.ts';

export default packageConfig('$1');
TS
