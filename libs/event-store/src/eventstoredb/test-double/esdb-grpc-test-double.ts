import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerWritableStream,
  status,
} from '@grpc/grpc-js';
import { loadEsdbWireProtocol } from '../esdb-client';
import {
  EsdbTestDoubleLog,
  type ProposedRecord,
  type TestDoubleExpected,
  type TestDoubleRecord,
  systemRecord,
} from './esdb-test-double-log';

/**
 * TEST DOUBLE of an EventStoreDB node: a loopback gRPC server that serves the client's own generated
 * Streams service (Append, and Read for streams, `$all` and `$all` subscriptions) over an in-memory log.
 * It lets the adapter's specs run the real `@eventstore/db-client` end to end without a server or Docker.
 *
 * By default ServerFeatures is left unimplemented, so the client falls back from BatchAppend to Append.
 * Started with `{ batchAppend: true }` it serves ServerFeatures (listing BatchAppend, as a server ≥ 21.10
 * does) and BatchAppend, so the client appends as it does against a real server.
 *
 * Like the server it refuses an append over `maxAppendSize`, reads and writes of a tombstoned stream
 * (`log.tombstone`), and reads of `$all` from a position that is not a record's (see the log). It records
 * whether each read asked for the leader (`reads`); it is a single node, so it serves them all.
 *
 * What it is not: there is no Gossip, no TLS, no auth, no soft deletes, no stream subscriptions, and
 * `maxSearchWindow` is ignored.
 */
export type TestDoubleFault =
  | 'not-leader'
  | 'unavailable'
  | 'deadline-exceeded'
  | 'timeout'
  | 'hang'
  /** An append written to the log but never answered: the server stalled once its writer took it. */
  | 'write-then-hang'
  /** The server's NotHandled answers to a write: NotReady, TooBusy, and NotLeader without leader info. */
  | 'not-ready'
  | 'busy'
  | 'no-leader-info'
  /** What a secure cluster answers a connection without credentials, or a user without the right (PERMISSION_DENIED). */
  | 'access-denied';
type FaultedMethod = 'append' | 'read';

export interface TestDoubleOptions {
  /** Serve ServerFeatures and BatchAppend, so the client uses BatchAppend (as on a server ≥ 21.10). */
  batchAppend?: boolean;
  /** The server's MaxAppendSize in bytes: 1 MiB unless configured. */
  maxAppendSize?: number;
}

/** A read the double served: what it read, and whether it carried the `requires-leader` header. */
export interface TestDoubleRead {
  target: 'stream' | '$all' | 'subscription';
  requiresLeader: boolean;
}

const DEFAULT_MAX_APPEND_SIZE = 1_048_576;

/** How EventStoreDB words each NotHandled reason (Streams.BatchAppend.cs, ConvertMessage). */
const NOT_HANDLED_MESSAGES = {
  'not-ready': 'Server Is Not Ready',
  busy: 'Server Is Busy',
  'no-leader-info': 'No leader info available in response',
} as const;

const { streamsGrpc, streamsPb, sharedPb, statusPb, serverFeaturesGrpc, serverFeaturesPb, anyPb, emptyPb } =
  loadEsdbWireProtocol();
const { ReadReq, ReadResp, AppendResp } = streamsPb;
type ReadRequest = InstanceType<typeof ReadReq>;
type AppendRequest = InstanceType<typeof streamsPb.AppendReq>;
type BatchAppendRequest = InstanceType<typeof streamsPb.BatchAppendReq>;
type BatchAppendOptions = InstanceType<typeof streamsPb.BatchAppendReq.Options>;
type FilterOptions = InstanceType<typeof ReadReq.Options.FilterOptions>;

export class EsdbGrpcTestDouble {
  readonly log = new EsdbTestDoubleLog();
  readonly reads: TestDoubleRead[] = [];
  private readonly server = new Server();
  private readonly faults: { method: FaultedMethod; fault: TestDoubleFault }[] = [];
  private readonly subscriptions = new Set<ServerWritableStream<unknown, unknown>>();
  private port = 0;

  private constructor(private readonly options: TestDoubleOptions) {}

  static async start(options: TestDoubleOptions = {}): Promise<EsdbGrpcTestDouble> {
    const double = new EsdbGrpcTestDouble(options);
    await double.listen();
    return double;
  }

  /** Insecure, single node: the client talks to this node directly, without discovery. */
  connectionString(query = ''): string {
    return `esdb://127.0.0.1:${this.port}?tls=false${query ? `&${query}` : ''}`;
  }

  /** The next call of `method` fails with `fault` (once per call to this method). */
  injectFault(method: FaultedMethod, fault: TestDoubleFault): void {
    this.faults.push({ method, fault });
  }

  /** Writes a system event, as the server does for settings, stats or stream metadata. */
  appendSystemEvent(stream = '$stats-127.0.0.1:2113', type = '$statsCollected'): void {
    this.log.append(stream, { kind: 'any' }, [systemRecord(type)]);
  }

  /** Fails every live subscription, as a node going down does. */
  dropSubscriptions(): void {
    for (const call of this.subscriptions)
      call.emit('error', { code: status.UNAVAILABLE, details: 'Server Is Shutting Down' });
    this.subscriptions.clear();
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
  }

  private listen(): Promise<void> {
    const implementation = {
      read: (call: ServerWritableStream<ReadRequest, unknown>) => this.read(call),
      append: (
        call: ServerReadableStream<AppendRequest, unknown>,
        callback: (error: unknown, response?: unknown) => void,
      ) => this.append(call, callback),
      ...(this.options.batchAppend
        ? { batchAppend: (call: ServerDuplexStream<BatchAppendRequest, unknown>) => this.batchAppend(call) }
        : {}),
    };
    // The generated definition also lists Delete and Tombstone (and BatchAppend, unless served):
    // grpc-js answers UNIMPLEMENTED.
    this.server.addService(streamsGrpc.StreamsService as never, implementation as never);
    if (this.options.batchAppend) {
      this.server.addService(
        serverFeaturesGrpc.ServerFeaturesService as never,
        {
          getSupportedMethods: (_call: unknown, callback: (error: null, response: unknown) => void) => {
            const methods = new serverFeaturesPb.SupportedMethods().setEventStoreServerVersion('23.10.0');
            methods.addMethods(
              new serverFeaturesPb.SupportedMethod()
                .setServiceName('event_store.client.streams.Streams')
                .setMethodName('BatchAppend'),
            );
            callback(null, methods);
          },
        } as never,
      );
    }
    return new Promise((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
        if (error) return reject(error);
        this.port = port;
        resolve();
      }),
    );
  }

  /** The error a faulted call answers with, `'hang'` for no answer at all (after writing, `'write-then-hang'`), or undefined. */
  private takeFault(method: FaultedMethod): object | 'hang' | 'write-then-hang' | undefined {
    const index = this.faults.findIndex((entry) => entry.method === method);
    if (index < 0) return undefined;
    const [{ fault }] = this.faults.splice(index, 1);
    const metadata = new Metadata();
    switch (fault) {
      case 'hang':
      case 'write-then-hang':
        return fault;
      case 'not-leader':
        // The server answers NotFound with the leader's address; this node plays its own leader.
        metadata.set('exception', 'not-leader');
        metadata.set('leader-endpoint-host', '127.0.0.1');
        metadata.set('leader-endpoint-port', String(this.port));
        return { code: status.NOT_FOUND, details: 'Leader info available', metadata };
      case 'unavailable':
        return { code: status.UNAVAILABLE, details: 'Server Is Not Ready', metadata };
      case 'deadline-exceeded':
        return { code: status.DEADLINE_EXCEEDED, details: 'Deadline Exceeded', metadata };
      case 'timeout':
        return { code: status.ABORTED, details: 'Operation timed out', metadata };
      case 'access-denied':
        metadata.set('exception', 'access-denied');
        return { code: status.PERMISSION_DENIED, details: 'Access Denied', metadata };
      case 'not-ready':
      case 'busy':
      case 'no-leader-info':
        // On Append the server turns these into UNAVAILABLE (the not-leader case with info is 'not-leader').
        return { code: status.UNAVAILABLE, details: NOT_HANDLED_MESSAGES[fault], metadata };
    }
  }

  /**
   * BatchAppend: each request carries a correlation id, options on its first message, and is answered
   * once its final message arrived. Errors are answered as the server does: a `google.rpc.Status` whose
   * details say what went wrong (a WrongExpectedVersion), or only a message for NotHandled reasons.
   */
  private batchAppend(call: ServerDuplexStream<BatchAppendRequest, unknown>): void {
    const pending = new Map<string, { options?: BatchAppendOptions; proposed: ProposedRecord[] }>();
    call.on('data', (request: BatchAppendRequest) => {
      const correlation = request.getCorrelationId();
      const key = correlation?.getString() ?? '';
      const entry = pending.get(key) ?? { proposed: [] };
      pending.set(key, entry);
      if (request.hasOptions()) entry.options = request.getOptions();
      for (const message of request.getProposedMessagesList()) {
        const metadata = message.getMetadataMap();
        entry.proposed.push({
          id: message.getId()?.getString() ?? '',
          type: metadata.get('type') ?? '',
          contentType: metadata.get('content-type') ?? 'application/octet-stream',
          data: message.getData_asU8(),
          customMetadata: message.getCustomMetadata_asU8(),
        });
      }
      if (!request.getIsFinal()) return;
      pending.delete(key);
      const fault = this.takeFault('append');
      if (fault === 'hang') return;
      const { options, proposed } = entry;
      if (fault === 'write-then-hang') return void this.writeUnanswered(options, batchExpectedOf, proposed);
      const response = new streamsPb.BatchAppendResp()
        .setCorrelationId(correlation)
        .setStreamIdentifier(options?.getStreamIdentifier());
      if (fault) return void call.write(response.setError(batchError(fault as { details: string })));
      if (!options)
        return void call.write(response.setError(new statusPb.Status().setMessage('Append without options')));
      if (this.tooLarge(proposed))
        return void call.write(response.setError(batchMaxAppendSizeExceeded(this.maxAppendSize)));
      const stream = Buffer.from(options.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
      const expected = batchExpectedOf(options);
      call.write(
        batchAppendResponse(response, this.log.append(stream, expected, proposed), expected, options),
      );
    });
    call.on('end', () => call.end());
  }

  private append(
    call: ServerReadableStream<AppendRequest, unknown>,
    callback: (error: unknown, response?: unknown) => void,
  ): void {
    const fault = this.takeFault('append');
    let options: InstanceType<typeof streamsPb.AppendReq.Options> | undefined;
    const proposed: ProposedRecord[] = [];
    call.on('data', (request: AppendRequest) => {
      if (request.hasOptions()) options = request.getOptions();
      const message = request.getProposedMessage();
      if (!message) return;
      const metadata = message.getMetadataMap();
      proposed.push({
        id: message.getId()?.getString() ?? '',
        type: metadata.get('type') ?? '',
        contentType: metadata.get('content-type') ?? 'application/octet-stream',
        data: message.getData_asU8(),
        customMetadata: message.getCustomMetadata_asU8(),
      });
    });
    call.on('end', () => {
      if (fault === 'hang') return;
      if (fault === 'write-then-hang') return void this.writeUnanswered(options, expectedOf, proposed);
      if (fault) return callback(fault);
      if (!options) return callback({ code: status.INVALID_ARGUMENT, details: 'Append without options' });
      const invalid = proposed.find((record) => !UUID.test(record.id) || !record.type);
      if (invalid) return callback({ code: status.INVALID_ARGUMENT, details: `Invalid event ${invalid.id}` });
      if (this.tooLarge(proposed)) return callback(maxAppendSizeExceeded(this.maxAppendSize));
      const stream = Buffer.from(options.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
      const expected = expectedOf(options);
      const outcome = this.log.append(stream, expected, proposed);
      if (outcome.kind === 'stream_deleted') return callback(streamDeleted(stream));
      callback(null, appendResponse(outcome, expected));
    });
  }

  private writeUnanswered<O extends { getStreamIdentifier(): InstanceType<typeof sharedPb.StreamIdentifier> | undefined }>(
    options: O | undefined,
    expectedOf: (options: O) => TestDoubleExpected,
    proposed: ProposedRecord[],
  ): void {
    if (!options) return;
    const stream = Buffer.from(options.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
    this.log.append(stream, expectedOf(options), proposed);
  }

  private get maxAppendSize(): number {
    return this.options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
  }

  /** The server adds up each event's type, data and metadata as they arrive (Streams.Append.cs). */
  private tooLarge(proposed: ProposedRecord[]): boolean {
    const size = proposed.reduce(
      (sum, record) => sum + record.type.length + record.data.length + record.customMetadata.length,
      0,
    );
    return size > this.maxAppendSize;
  }

  private read(call: ServerWritableStream<ReadRequest, unknown>): void {
    const options = call.request.getOptions();
    this.reads.push({
      target: options?.hasStream() ? 'stream' : options?.hasSubscription() ? 'subscription' : '$all',
      requiresLeader: call.metadata.get('requires-leader').includes('true'),
    });
    const fault = this.takeFault('read');
    if (fault === 'hang') return;
    if (fault) return void call.emit('error', fault);
    if (!options)
      return void call.emit('error', { code: status.INVALID_ARGUMENT, details: 'Read without options' });
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? Number(options.getCount()) : Number.MAX_SAFE_INTEGER;
    const filter = options.hasFilter() ? toPredicate(options.getFilter() as FilterOptions) : () => true;
    const streamOptions = options.getStream();
    if (streamOptions) {
      if (options.hasSubscription())
        return void call.emit('error', {
          code: status.UNIMPLEMENTED,
          details: 'TEST DOUBLE: no stream subscriptions',
        });
      const name = Buffer.from(streamOptions.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString(
        'utf8',
      );
      if (this.log.isTombstoned(name)) return void call.emit('error', streamDeleted(name));
      const records = this.log.stream(name);
      if (records.length === 0)
        return void this.endWith(call, streamNotFound(streamOptions.getStreamIdentifier()));
      const last = BigInt(records.length - 1);
      const from = streamOptions.hasRevision()
        ? BigInt(streamOptions.getRevision())
        : streamOptions.hasEnd() || backwards
          ? last
          : 0n;
      const selected = backwards
        ? records.filter((record) => record.revision <= from).reverse()
        : records.filter((record) => record.revision >= from);
      for (const record of selected.slice(0, count)) call.write(readEvent(record));
      return void call.end();
    }
    const all = options.getAll();
    if (!all) return void call.emit('error', { code: status.INVALID_ARGUMENT, details: 'Read of nothing' });
    const at = all.hasPosition() ? BigInt(all.getPosition()?.getCommitPosition() ?? '0') : undefined;
    if (at !== undefined && !this.log.readableFrom(at))
      return void call.emit('error', {
        code: status.INVALID_ARGUMENT,
        details: 'Trying to read from an invalid position.',
      });
    if (options.hasSubscription()) return this.subscribe(call, all.hasEnd() ? 'end' : (at ?? -1n), filter);
    const records = this.log.records;
    // Forward reads include the event at the position; backward reads stop before it.
    const selected = backwards
      ? records.filter((record) => !all.hasPosition() || record.position < (at as bigint)).reverse()
      : all.hasEnd()
        ? []
        : records.filter((record) => record.position >= (at ?? 0n));
    for (const record of selected.filter(filter).slice(0, count)) call.write(readEvent(record));
    call.end();
  }

  /** Confirmation, catch-up after the position (exclusive), caught-up, then live events. */
  private subscribe(
    call: ServerWritableStream<ReadRequest, unknown>,
    from: bigint | 'end',
    filter: (record: TestDoubleRecord) => boolean,
  ): void {
    const confirmation = new ReadResp();
    confirmation.setConfirmation(
      new ReadResp.SubscriptionConfirmation().setSubscriptionId(crypto.randomUUID()),
    );
    call.write(confirmation);
    if (from !== 'end') {
      for (const record of this.log.records)
        if (record.position > from && filter(record)) call.write(readEvent(record));
    }
    call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    const stopListening = this.log.onAppend((records) => {
      for (const record of records) if (filter(record)) call.write(readEvent(record));
    });
    this.subscriptions.add(call as ServerWritableStream<unknown, unknown>);
    const end = () => {
      stopListening();
      this.subscriptions.delete(call as ServerWritableStream<unknown, unknown>);
    };
    call.on('cancelled', end);
    call.on('error', end);
    call.on('finish', end);
  }

  private endWith(call: ServerWritableStream<ReadRequest, unknown>, response: unknown): void {
    call.write(response);
    call.end();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function expectedOf(options: InstanceType<typeof streamsPb.AppendReq.Options>): TestDoubleExpected {
  if (options.hasRevision()) return { kind: 'revision', revision: BigInt(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

function batchExpectedOf(options: BatchAppendOptions): TestDoubleExpected {
  if (options.hasStreamPosition()) return { kind: 'revision', revision: BigInt(options.getStreamPosition()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'any' };
}

/** RpcExceptions.StreamDeleted: FAILED_PRECONDITION, the exception and the stream named in the metadata. */
function streamDeleted(stream: string): object {
  const metadata = new Metadata();
  metadata.set('exception', 'stream-deleted');
  metadata.set('stream-name', stream);
  return { code: status.FAILED_PRECONDITION, details: `Event stream '${stream}' is deleted.`, metadata };
}

/** RpcExceptions.MaxAppendSizeExceeded: INVALID_ARGUMENT, the limit in the metadata. */
function maxAppendSizeExceeded(limit: number): object {
  const metadata = new Metadata();
  metadata.set('exception', 'maximum-append-size-exceeded');
  metadata.set('maximum-append-size', String(limit));
  return { code: status.INVALID_ARGUMENT, details: `Maximum Append Size of ${limit} Exceeded.`, metadata };
}

/** BatchAppend's answer to an append over the limit: a status whose details are MaximumAppendSizeExceeded. */
function batchMaxAppendSizeExceeded(limit: number): InstanceType<typeof statusPb.Status> {
  const details = new anyPb.Any();
  details.pack(
    new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(limit).serializeBinary(),
    'event_store.client.MaximumAppendSizeExceeded',
  );
  return new statusPb.Status().setMessage(`Maximum Append Size of ${limit} Exceeded.`).setDetails(details);
}

/** A faulted BatchAppend: a NotHandled reason is a status with only its message, as the server sends it. */
function batchError(fault: { details: string }): InstanceType<typeof statusPb.Status> {
  const details = new anyPb.Any();
  details.pack(new emptyPb.Empty().serializeBinary(), 'google.protobuf.Empty');
  return new statusPb.Status().setMessage(fault.details).setDetails(details);
}

function batchAppendResponse(
  response: InstanceType<typeof streamsPb.BatchAppendResp>,
  outcome: ReturnType<EsdbTestDoubleLog['append']>,
  expected: TestDoubleExpected,
  options: BatchAppendOptions,
): unknown {
  if (outcome.kind === 'stream_deleted') {
    // Status.StreamDeleted: the details name the stream.
    const details = new anyPb.Any();
    details.pack(
      new sharedPb.StreamDeleted().setStreamIdentifier(options.getStreamIdentifier()).serializeBinary(),
      'event_store.client.StreamDeleted',
    );
    return response.setError(new statusPb.Status().setMessage('Stream Deleted').setDetails(details));
  }
  if (outcome.kind === 'wrong_expected_version') {
    // Status.WrongExpectedVersion: the details are the shared WrongExpectedVersion (the client reads no code).
    const wrong = new sharedPb.WrongExpectedVersion();
    if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new emptyPb.Empty());
    else wrong.setCurrentStreamRevision(outcome.current.toString());
    if (expected.kind === 'revision') wrong.setExpectedStreamPosition(expected.revision.toString());
    else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new emptyPb.Empty());
    else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new emptyPb.Empty());
    else wrong.setExpectedAny(new emptyPb.Empty());
    const details = new anyPb.Any();
    details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    return response.setError(new statusPb.Status().setMessage('WrongExpectedVersion').setDetails(details));
  }
  const success = new streamsPb.BatchAppendResp.Success().setCurrentRevision(outcome.lastRevision.toString());
  if (outcome.kind === 'idempotent') success.setNoPosition(new emptyPb.Empty());
  else {
    success.setPosition(
      new sharedPb.AllStreamPosition()
        .setCommitPosition(outcome.lastPosition.toString())
        .setPreparePosition(outcome.firstPosition.toString()),
    );
  }
  return response.setSuccess(success);
}

function appendResponse(
  outcome: Exclude<ReturnType<EsdbTestDoubleLog['append']>, { kind: 'stream_deleted' }>,
  expected: TestDoubleExpected,
): unknown {
  const response = new AppendResp();
  if (outcome.kind === 'wrong_expected_version') {
    const wrong = new AppendResp.WrongExpectedVersion();
    if (outcome.current === 'no_stream') wrong.setCurrentNoStream(new sharedPb.Empty());
    else wrong.setCurrentRevision(outcome.current.toString());
    if (expected.kind === 'revision') wrong.setExpectedRevision(expected.revision.toString());
    else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new sharedPb.Empty());
    else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new sharedPb.Empty());
    else wrong.setExpectedAny(new sharedPb.Empty());
    return response.setWrongExpectedVersion(wrong);
  }
  const success = new AppendResp.Success().setCurrentRevision(outcome.lastRevision.toString());
  if (outcome.kind === 'idempotent') success.setNoPosition(new sharedPb.Empty());
  else {
    // As the server reports a write: commit = the last record, prepare = where the write began.
    success.setPosition(
      new AppendResp.Position()
        .setCommitPosition(outcome.lastPosition.toString())
        .setPreparePosition(outcome.firstPosition.toString()),
    );
  }
  return response.setSuccess(success);
}

function readEvent(record: TestDoubleRecord): unknown {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new sharedPb.UUID().setString(record.id))
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(record.stream, 'utf8')))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.toString())
    .setPreparePosition(record.position.toString())
    .setData(record.data)
    .setCustomMetadata(record.customMetadata);
  const metadata = recorded.getMetadataMap();
  metadata.set('type', record.type);
  metadata.set('content-type', record.contentType);
  // .NET ticks (100 ns) since the Unix epoch, which is what the client divides by 10 000.
  metadata.set('created', (BigInt(record.createdMs) * 10_000n).toString());
  const event = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.toString());
  return new ReadResp().setEvent(event);
}

function streamNotFound(identifier: InstanceType<typeof sharedPb.StreamIdentifier> | undefined): unknown {
  return new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(identifier));
}

/** The server's filters: a regex or prefixes, on the event type or the stream name. */
function toPredicate(filter: FilterOptions): (record: TestDoubleRecord) => boolean {
  const onType = filter.hasEventType();
  const expression = onType ? filter.getEventType() : filter.getStreamIdentifier();
  if (!expression) return () => true;
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  const prefixes = expression.getPrefixList();
  return (record) => {
    const subject = onType ? record.type : record.stream;
    return regex ? regex.test(subject) : prefixes.some((prefix) => subject.startsWith(prefix));
  };
}
