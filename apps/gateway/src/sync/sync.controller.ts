import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BearerAuthGuard, CurrentUser, type AuthUser } from '@ripple/auth';
import { FeedPrunedError } from '../feed/feed-reader';
import { dataChangeOf } from './sync-messages';
import { SSE_HEADERS, SseSink } from './sse-sink';
import { SyncEdge } from './sync-edge';
import { CursorResetError, InvalidQueryError } from './sync.errors';

export const MAX_PAGE = 1000;

/** The gateway's own sync routes; every other /api/sync/* path belongs to the pets service. */
@Controller('api/sync')
export class SyncController {
  constructor(@Inject(SyncEdge) private readonly edge: SyncEdge) {}

  /** A browser's EventSource cannot send headers: it trades its token for a short-lived single-use ticket. */
  @Post('ticket')
  @HttpCode(201)
  @UseGuards(BearerAuthGuard)
  async ticket(@CurrentUser() user: AuthUser) {
    const issued = await this.edge.tickets.issue({ userId: user.sub, role: user.role, username: user.username, exp: user.exp, tokenVersion: user.tv ?? 0 });
    return { success: true, data: issued };
  }

  @Get('events')
  async events(@Req() req: Request, @Res() res: Response): Promise<void> {
    const query = new URL(req.originalUrl, 'http://gateway').searchParams;
    const prepared = await this.edge.prepare({ authorization: req.headers.authorization, query }, req.header('last-event-id'));
    res.writeHead(200, SSE_HEADERS);
    res.write('retry: 1000\n\n');
    const session = prepared.open(new SseSink(res));
    res.on('close', () => session.close());
  }

  /** The same feed for polling clients: the changes after `since` (from the start without it), a page at a time. */
  @Get('changes')
  @UseGuards(BearerAuthGuard)
  async changes(@CurrentUser() user: AuthUser, @Query('since') since?: string, @Query('limit') limit?: string) {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw new InvalidQueryError(`limit must be an integer from 1 to ${MAX_PAGE}`);
    if (since !== undefined && typeof since !== 'string') throw new InvalidQueryError('since must be a single cursor');
    const { cursors, reader, deps } = this.edge;
    const start = await cursors.resolve(user.sub, since, 'start');
    if (start.reset) throw new CursorResetError(start.reset, cursors.issue(user.sub, start.position));
    const rows = await reader.read({ userId: user.sub, admin: user.role === 'admin' }, start.position, n).catch(async (err: unknown) => {
      // Pruned between the cursor check and this read.
      if (err instanceof FeedPrunedError) throw new CursorResetError('too_old', cursors.issue(user.sub, await reader.head()));
      throw err;
    });
    const changes = rows.map((r) => ({ ...dataChangeOf(r, deps.limits.maxDataBytes), cursor: cursors.issue(user.sub, r.position) }));
    const last = rows.length ? rows[rows.length - 1].position : start.position;
    return { success: true, data: { changes, nextCursor: cursors.issue(user.sub, last), hasMore: rows.length === n } };
  }
}
