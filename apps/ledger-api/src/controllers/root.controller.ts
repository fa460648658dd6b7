/**
 * The address a person opens first: `http://localhost:3000/` sends a browser to the dashboard, and
 * tells anything else where the dashboard, the OpenAPI page and the health checks are.
 */
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access-policy';

export const ROOT_LINKS = {
  dashboard: '/dashboard',
  docs: '/docs',
  openapi: '/docs-json',
  health: '/health/ready',
  metrics: '/metrics',
} as const;

@ApiExcludeController()
@Controller()
export class RootController {
  @Get()
  @Public()
  index(@Res() res: FastifyReply): void {
    res.code(302).header('location', ROOT_LINKS.dashboard).header('cache-control', 'no-cache').send(ROOT_LINKS);
  }
}
