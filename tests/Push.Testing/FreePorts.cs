using System.Net;
using System.Net.Sockets;

namespace Push.Testing;

/// <summary>Loopback ports that are free right now, so parallel test runs don't collide.</summary>
public static class FreePorts
{
    // Fixtures of different test classes start servers in parallel: a port handed to one is never handed
    // to another in this process, even after the probe listener released it and before the server bound it.
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port)) return port;
            }
        }
    }

    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (SocketException ex)
            {
                throw new TimeoutException($"nothing listened on 127.0.0.1:{port} within {timeout}. {diagnostics?.Invoke()}", ex);
            }
        }
    }
}
