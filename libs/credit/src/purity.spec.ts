/**
 * The domain stays pure (STYLE.md): it imports nothing but decimal.js and its own files, and never reads
 * the clock or a random source, so a decision replayed from the same events and business time is the same
 * decision. The scan walks the TypeScript syntax tree rather than matching text, so comments, strings and
 * multi-line imports cannot hide or fake an offence.
 */
import { readdirSync, readFileSync } from 'fs';
import { join, relative } from 'path';
import ts from 'typescript';

const DOMAIN_ROOT = __dirname;
const ALLOWED_PACKAGES = new Set(['decimal.js']);

interface Offence {
  file: string;
  line: number;
  what: string;
}

function isAllowedImport(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || ALLOWED_PACKAGES.has(specifier);
}

function isMember(node: ts.Node, object: string, member: string): boolean {
  return (
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === object &&
    node.name.text === member
  );
}

function isIdentifier(node: ts.Node, name: string): boolean {
  return ts.isIdentifier(node) && node.text === name;
}

/** Every forbidden import and every read of the clock or a random source in one source text. */
function findOffences(file: string, source: string): Offence[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const offences: Offence[] = [];
  const report = (node: ts.Node, what: string) =>
    offences.push({
      file,
      line: sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1,
      what,
    });
  const checkSpecifier = (node: ts.Node, specifier: ts.Node | undefined) => {
    if (specifier && ts.isStringLiteralLike(specifier) && !isAllowedImport(specifier.text))
      report(node, `imports '${specifier.text}'`);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node))
      checkSpecifier(node, node.moduleSpecifier);
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      checkSpecifier(node, node.moduleReference.expression);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      checkSpecifier(node, node.argument.literal);
    if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword || isIdentifier(node.expression, 'require')) {
        checkSpecifier(node, node.arguments[0]);
      }
      // Date() called as a function returns the current time as a string.
      if (isIdentifier(node.expression, 'Date')) report(node, 'calls Date()');
    }
    // Any reference counts, not only a call: `const now = Date.now` reads the clock just the same later.
    if (isMember(node, 'Date', 'now')) report(node, 'reads Date.now');
    if (isMember(node, 'Math', 'random')) report(node, 'reads Math.random');
    if (
      ts.isNewExpression(node) &&
      isIdentifier(node.expression, 'Date') &&
      (node.arguments?.length ?? 0) === 0
    ) {
      report(node, 'constructs new Date() with no argument');
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return offences;
}

function domainSourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return domainSourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')
      ? [path]
      : [];
  });
}

describe('the credit domain', () => {
  const files = domainSourceFiles(DOMAIN_ROOT);

  it('has source files to check, so the purity check cannot pass on an empty scan', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(files.map((f) => relative(DOMAIN_ROOT, f))).toEqual(expect.arrayContaining(['money/money.ts']));
  });

  it('imports nothing but decimal.js and its own files, and never reads the clock or a random source', () => {
    const offences = files.flatMap((file) =>
      findOffences(relative(DOMAIN_ROOT, file), readFileSync(file, 'utf8')),
    );

    expect(offences.map((o) => `libs/credit/src/${o.file}:${o.line} ${o.what}`)).toEqual([]);
  });
});

describe('the purity scanner', () => {
  const offending = [
    "import Decimal from 'decimal.js';",
    "import { helper } from './helper';",
    "import { Injectable } from '@nestjs/common';",
    "import { createHash } from 'crypto';",
    "import { readFile } from 'node:fs';",
    "import type { Store } from '@ledger/event-store';",
    "export { thing } from 'some-adapter';",
    'import {',
    '  multi,',
    "} from 'fs';",
    "const lazy = require('path');",
    "const later = import('os');",
    'const now = Date.now();',
    'const today = new Date();',
    'const alsoToday = new Date;',
    "const fixed = new Date('2026-01-01T00:00:00Z');",
    'const dice = Math.random();',
    'const stamp = Date();',
  ].join('\n');

  it('reports each offence with its line, and lets the allowed ones through', () => {
    expect(findOffences('synthetic.ts', offending).map((o) => `${o.line} ${o.what}`)).toEqual([
      "3 imports '@nestjs/common'",
      "4 imports 'crypto'",
      "5 imports 'node:fs'",
      "6 imports '@ledger/event-store'",
      "7 imports 'some-adapter'",
      "8 imports 'fs'",
      "11 imports 'path'",
      "12 imports 'os'",
      '13 reads Date.now',
      '14 constructs new Date() with no argument',
      '15 constructs new Date() with no argument',
      '17 reads Math.random',
      '18 calls Date()',
    ]);
  });

  it('ignores offences that only appear in comments and strings', () => {
    const harmless = [
      "// import fs from 'fs'; Date.now();",
      '/* new Date() and Math.random()',
      "   import { x } from '@nestjs/core'; */",
      "const text = 'Date.now() and Math.random()';",
      "const pattern = /import x from 'fs'/;",
      'const template = `new Date()`;',
    ].join('\n');

    expect(findOffences('harmless.ts', harmless)).toEqual([]);
  });
});
