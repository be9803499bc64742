import net from 'node:net';

/**
 * A loopback TCP proxy in front of Postgres or Redis. cut() drops every connection and refuses new
 * ones, as a restarting server would; restore() lets them through again. stall() holds what clients
 * send, as a server too busy to answer, until flow(). Other test files keep using the real server
 * undisturbed.
 */
export class TcpProxy {
  private readonly pairs = new Set<net.Socket>();
  /** Each client's connection to the server, for stall() and flow(). */
  private readonly upstreams = new Map<net.Socket, net.Socket>();
  private refusing = false;
  private stalled = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    let proxy: TcpProxy | null = null;
    const server = net.createServer((client) => {
      if (!proxy || proxy.refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect({ host: targetHost, port: targetPort });
      const pairs = proxy.pairs;
      pairs.add(client);
      pairs.add(upstream);
      const upstreams = proxy.upstreams;
      upstreams.set(client, upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        pairs.delete(client);
        pairs.delete(upstream);
        upstreams.delete(client);
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
      if (!proxy.stalled) client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  /** The same URL, pointed at this proxy. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  cut(): void {
    this.refusing = true;
    for (const socket of this.pairs) socket.destroy();
    this.pairs.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  /** Holds every client's requests (new connections' too) where they are: nothing reaches the server. */
  stall(): void {
    this.stalled = true;
    for (const [client, upstream] of this.upstreams) {
      client.unpipe(upstream);
      client.pause();
    }
  }

  /** Lets the held requests through, in order. */
  flow(): void {
    this.stalled = false;
    for (const [client, upstream] of this.upstreams) client.pipe(upstream);
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
