import net from 'node:net';

/**
 * A loopback TCP proxy in front of Postgres or Redis. cut() drops every connection and refuses new
 * ones, as a restarting server would; restore() lets them through again. Other test files keep using
 * the real server undisturbed.
 */
export class TcpProxy {
  private readonly pairs = new Set<net.Socket>();
  private refusing = false;

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
      const close = () => {
        client.destroy();
        upstream.destroy();
        pairs.delete(client);
        pairs.delete(upstream);
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', close);
      upstream.on('close', close);
      client.pipe(upstream);
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

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
