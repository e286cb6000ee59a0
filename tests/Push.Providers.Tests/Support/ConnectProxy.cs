using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Push.Providers.Tests.Support;

/// <summary>
/// A minimal HTTP CONNECT proxy on loopback that demands Basic Proxy-Authorization, then tunnels bytes.
/// Counts the tunnels it opened so tests can see the client really went through it.
/// </summary>
internal sealed class ConnectProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _expectedAuthorization;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _tunnels;
    private int _refusals;

    public ConnectProxy(string username, string password)
    {
        _expectedAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password));
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri Address { get; }

    public int Tunnels => Volatile.Read(ref _tunnels);

    public int Refusals => Volatile.Read(ref _refusals);

    public System.Collections.Concurrent.ConcurrentBag<string> Targets { get; } = [];

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                while (true)
                {
                    var head = await ReadHeadAsync(stream);
                    if (head is null)
                    {
                        return;
                    }
                    var lines = head.Split("\r\n");
                    var requestLine = lines[0].Split(' ');
                    var authorization = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))?
                        .Split(':', 2)[1].Trim();
                    if (requestLine[0] != "CONNECT")
                    {
                        await WriteAsync(stream, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
                        return;
                    }
                    if (authorization != _expectedAuthorization)
                    {
                        Interlocked.Increment(ref _refusals);
                        await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n");
                        continue;
                    }
                    var hostPort = requestLine[1].Split(':');
                    using var upstream = new TcpClient();
                    await upstream.ConnectAsync(hostPort[0], int.Parse(hostPort[1]));
                    Interlocked.Increment(ref _tunnels);
                    Targets.Add(requestLine[1]);
                    await WriteAsync(stream, "HTTP/1.1 200 Connection Established\r\n\r\n");
                    var up = upstream.GetStream();
                    var a = stream.CopyToAsync(up, _stop.Token);
                    var b = up.CopyToAsync(stream, _stop.Token);
                    await Task.WhenAny(a, b);
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // A side hung up; the tunnel is over.
            }
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }
            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r')
            {
                return Encoding.ASCII.GetString(buffer.ToArray(), 0, buffer.Count - 4);
            }
        }
    }

    private static Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
