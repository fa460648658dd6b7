/**
 * The rate limiter's memory: @nestjs/throttler's in-memory storage semantics at a cost per request that
 * does not grow with the limit.
 *
 * The library's `ThrottlerStorageService` keeps one expiry time per hit in the window and filters the
 * whole array on every request, so a request costs O(limit). An operator key allowed 240,000 requests a
 * minute (4,000 a second) pays for a 240,000-element filter on each of them; in the commands benchmark
 * that filter was about a tenth of the API's main thread. Here the hits of a window are kept in a queue
 * of (expiry, count) pairs in expiry order: hits with the same expiry share a pair, and expired pairs
 * are dropped from the front. A request costs amortized O(1), and a window holds at most one pair per
 * millisecond of its length however high the limit (the arrays at most about twice the pairs held).
 *
 * The answers are the library's (checked against it by a property test): the same hit counts, the same
 * block once the limit is passed, the same reset when a block ends, the same times for the headers,
 * also when one key is counted with different windows or the system clock steps back (a hit whose
 * expiry falls before the newest is put in its place, at O(pairs) for that hit alone).
 */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

/** How often records with nothing left to count are forgotten (as the library's sweep). */
const SWEEP_INTERVAL_MS = 60_000;

/** Hits of one throttler for one key, oldest expiry first; `head` is the first pair still held. */
class HitQueue {
  private expiries: number[] = [];
  private counts: number[] = [];
  private head = 0;
  /** Hits in the pairs from `head` on. */
  live = 0;

  add(expiresAt: number): void {
    const last = this.expiries.length - 1;
    if (last < this.head || expiresAt > this.expiries[last]) {
      this.expiries.push(expiresAt);
      this.counts.push(1);
    } else {
      // The same expiry as the newest (the common case), or an earlier one: a shorter window than the
      // newest hit's, or a clock that stepped back. Find its place in the held pairs.
      let low = this.head;
      let high = last;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (this.expiries[middle] < expiresAt) low = middle + 1;
        else high = middle;
      }
      if (this.expiries[low] === expiresAt) this.counts[low]++;
      else {
        this.expiries.splice(low, 0, expiresAt);
        this.counts.splice(low, 0, 1);
      }
    }
    this.live++;
  }

  /** Drops the hits that expired at or before `now`. */
  prune(now: number): void {
    while (this.head < this.expiries.length && this.expiries[this.head] <= now) {
      this.live -= this.counts[this.head];
      this.head++;
    }
    if (this.head === this.expiries.length) {
      this.clear();
    } else if (this.head >= 16 && this.head * 2 >= this.expiries.length) {
      // Dropped pairs are at most as many as those held (and 16): copying them away is amortized O(1).
      this.expiries = this.expiries.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.head = 0;
    }
  }

  /** Whether a hit held expires after `now` (the newest expiry is the last). */
  liveAfter(now: number): boolean {
    return this.head < this.expiries.length && this.expiries[this.expiries.length - 1] > now;
  }

  /** The earliest expiry still held (the library's `Math.min(...hits)`). */
  oldest(): number | undefined {
    return this.head < this.expiries.length ? this.expiries[this.head] : undefined;
  }

  /** (expiry, count) pairs held. */
  get pairs(): number {
    return this.expiries.length - this.head;
  }

  /** Slots of the arrays, the expired pairs not yet copied away included. */
  get slots(): number {
    return this.expiries.length;
  }

  clear(): void {
    this.expiries = [];
    this.counts = [];
    this.head = 0;
    this.live = 0;
  }
}

interface KeyRecord {
  /** The fixed window behind `timeToExpire` (the X-RateLimit-Reset header). */
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
  /** Hits by throttler. Their live count is the library's `totalHits`, which it keeps beside its array. */
  hits: Map<string, HitQueue>;
}

/** What `increment` answers, as the library's storage interface declares it. */
export type RateLimitRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

@Injectable()
export class RateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly records = new Map<string, KeyRecord>();
  private sweep: NodeJS.Timeout | undefined;

  /** Records a hit for `key` (unless it is blocked) and says where the key stands; see the library's `increment`. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<RateLimitRecord> {
    return this.hit(key, ttl, limit, blockDuration, throttlerName, Date.now());
  }

  /** `increment` at a given time (one clock reading for the whole request). */
  hit(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string, now: number): RateLimitRecord {
    this.sweep ??= setInterval(() => this.evictIdle(Date.now()), SWEEP_INTERVAL_MS).unref();
    let record = this.records.get(key);
    if (!record) {
      record = { expiresAt: now + ttl, blockExpiresAt: 0, isBlocked: false, hits: new Map() };
      this.records.set(key, record);
    }
    let hits = record.hits.get(throttlerName);
    if (!hits) {
      hits = new HitQueue();
      record.hits.set(throttlerName, hits);
    }
    hits.prune(now);

    let timeToExpire = secondsUntil(record.expiresAt, now);
    if (timeToExpire <= 0) {
      record.expiresAt = now + ttl;
      timeToExpire = secondsUntil(record.expiresAt, now);
    }

    if (blockDuration <= 0) {
      const isBlocked = hits.live >= limit;
      if (!isBlocked) hits.add(now + ttl);
      const oldest = hits.oldest();
      const timeToBlockExpire = oldest !== undefined ? secondsUntil(oldest, now) : timeToExpire;
      return { totalHits: hits.live + (isBlocked ? 1 : 0), timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToBlockExpire : 0 };
    }

    if (!record.isBlocked) hits.add(now + ttl);
    if (hits.live > limit && !record.isBlocked) {
      record.isBlocked = true;
      record.blockExpiresAt = now + blockDuration;
    }
    const timeToBlockExpire = secondsUntil(record.blockExpiresAt, now);
    if (timeToBlockExpire <= 0 && record.isBlocked) {
      // The block is over: the library forgets every hit and counts this request alone.
      record.isBlocked = false;
      hits.clear();
      hits.add(now + ttl);
    }
    return { totalHits: hits.live, timeToExpire, isBlocked: record.isBlocked, timeToBlockExpire };
  }

  /** Forgets keys that are not blocked, whose fixed window has passed and that have no live hits. */
  evictIdle(now: number): void {
    for (const [key, record] of this.records) {
      if (record.isBlocked && record.blockExpiresAt > now) continue;
      if (record.expiresAt > now) continue;
      // Asked without pruning, as the library asks: a prune at the sweep's time would drop hits that a
      // request after a step back of the clock still counts.
      if (![...record.hits.values()].some((hits) => hits.liveAfter(now))) this.records.delete(key);
    }
  }

  /** Keys held now (for tests and for reasoning about memory). */
  get size(): number {
    return this.records.size;
  }

  /** (expiry, count) pairs one key's throttler holds, and the slots its arrays take (for tests). */
  pairsHeld(key: string, throttlerName: string): { pairs: number; slots: number } {
    const hits = this.records.get(key)?.hits.get(throttlerName);
    return { pairs: hits?.pairs ?? 0, slots: hits?.slots ?? 0 };
  }

  onApplicationShutdown(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = undefined;
    this.records.clear();
  }
}

function secondsUntil(time: number, now: number): number {
  return Math.ceil((time - now) / 1000);
}
