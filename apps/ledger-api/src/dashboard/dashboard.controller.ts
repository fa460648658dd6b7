/**
 * Serves the dashboard page at /dashboard. The page is static (HTML, CSS and one bundled script) and
 * holds no figures: it reads them from the query API in the browser, so the dashboard and the API can
 * never disagree. The bundle is built from apps/ledger-api/dashboard at start when it is missing or
 * older than its sources, so a fresh checkout needs no separate build step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Logger, type OnModuleInit, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../http/errors';

const CONTENT_TYPES: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'styles.css': 'text/css; charset=utf-8',
  'index.html': 'text/html; charset=utf-8',
};

interface DashboardBuilder {
  ensureDashboardBuilt(): Promise<{ bytes: number; milliseconds: number } | null>;
  outDir: string;
}

/** The repository root: the nearest folder above this file that holds the build script (src or dist). */
function findBuilder(): DashboardBuilder | null {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const script = join(dir, 'scripts', 'build-dashboard.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (existsSync(script)) return require(script) as DashboardBuilder;
  }
  return null;
}

@ApiExcludeController()
@Controller('dashboard')
export class DashboardController implements OnModuleInit {
  private readonly logger = new Logger('Dashboard');
  private readonly builder = findBuilder();
  private unavailable: string | null = null;

  async onModuleInit(): Promise<void> {
    if (!this.builder) {
      this.unavailable = 'the dashboard build script (scripts/build-dashboard.js) was not found';
      return;
    }
    try {
      const built = await this.builder.ensureDashboardBuilt();
      if (built) this.logger.log(`dashboard bundled (${Math.round(built.bytes / 1024)} KiB in ${built.milliseconds} ms)`);
    } catch (error) {
      // The API stays up without its page: the dashboard is a reader of the API, not a part of it.
      this.unavailable = `the dashboard could not be built: ${(error as Error).message}`;
      this.logger.warn(this.unavailable);
    }
  }

  @Get()
  @Header('Cache-Control', 'no-cache')
  page(@Res() res: FastifyReply): void {
    this.send(res, 'index.html');
  }

  @Get(':file')
  @Header('Cache-Control', 'no-cache')
  asset(@Param('file') file: string, @Res() res: FastifyReply): void {
    if (!Object.hasOwn(CONTENT_TYPES, file)) throw new ApiError(404, { error: 'NOT_FOUND', message: `no dashboard file ${file}`, details: [] });
    this.send(res, file);
  }

  private send(res: FastifyReply, file: string): void {
    if (this.unavailable || !this.builder) {
      throw new ApiError(503, { error: 'DASHBOARD_UNAVAILABLE', message: this.unavailable ?? 'the dashboard is not built', details: [] });
    }
    res.type(CONTENT_TYPES[file]).send(readFileSync(join(this.builder.outDir, file)));
  }
}
