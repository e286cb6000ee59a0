using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Push.Testing;

namespace Push.Bench;

/// <summary>
/// A counting reverse proxy in front of Azurite, for the counting phase only (it would slow a throughput phase): one
/// HTTP/1.1 listener per Azurite service, each forwarding every request unchanged (method, path, query, headers, body;
/// SharedKey signs the path, not the host) and counting it by service, operation and target (queue, table, container).
/// The relay is pointed at it through AzureWebJobsStorage, exactly as at Azurite.
/// </summary>
internal sealed class StorageCounter : IAsyncDisposable
{
    private static readonly HashSet<string> SkippedRequestHeaders = new(StringComparer.OrdinalIgnoreCase) { "Host", "Connection", "Transfer-Encoding", "Keep-Alive" };
    private static readonly HashSet<string> SkippedResponseHeaders = new(StringComparer.OrdinalIgnoreCase) { "Connection", "Transfer-Encoding", "Keep-Alive" };

    private readonly List<WebApplication> _apps = [];
    private readonly HttpClient _forward = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None, MaxConnectionsPerServer = 256 });
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    private StorageCounter() { }

    public string ConnectionString { get; private set; } = "";

    /// <summary>Requests Azurite refused (4xx/5xx), for diagnosing the counting phase (some are normal: a 404 of a first read, a 409 of a create).</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    public static async Task<StorageCounter> StartAsync(AzuriteServer azurite)
    {
        var counter = new StorageCounter();
        var ports = new Dictionary<string, int>();
        foreach (var (service, target) in new[] { ("blob", azurite.BlobPort), ("queue", azurite.QueuePort), ("table", azurite.TablePort) })
        {
            var port = FreePorts.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http1));
            var app = builder.Build();
            app.Run(context => counter.ForwardAsync(context, service, target));
            await app.StartAsync();
            counter._apps.Add(app);
            ports[service] = port;
        }
        const string account = AzuriteServer.AccountName;
        counter.ConnectionString = $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={AzuriteServer.AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{ports["blob"]}/{account};QueueEndpoint=http://127.0.0.1:{ports["queue"]}/{account};" +
            $"TableEndpoint=http://127.0.0.1:{ports["table"]}/{account};";
        return counter;
    }

    /// <summary>Requests by kind so far ("queue receive push-messages", "table batch ledger", …).</summary>
    public Dictionary<string, long> Snapshot() => new(_counts, StringComparer.Ordinal);

    private async Task ForwardAsync(HttpContext context, string service, int targetPort)
    {
        var request = context.Request;
        _counts.AddOrUpdate(Kind(service, request.Method, request.Path.Value ?? "", request.Query), 1, (_, n) => n + 1);
        // The raw target, not Path: Kestrel decodes %40 and the like, and SharedKey signs the path as the client encoded it.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri($"http://127.0.0.1:{targetPort}{rawTarget}", UriKind.Absolute))
        {
            Version = HttpVersion.Version11,
        };
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(request.Body);
        }
        foreach (var (name, values) in request.Headers)
        {
            if (SkippedRequestHeaders.Contains(name)) continue;
            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                forward.Content ??= new ByteArrayContent([]);
                forward.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        using var response = await _forward.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        if ((int)response.StatusCode >= 400) Failures.Enqueue($"{request.Method} {request.Path}{request.QueryString} → {(int)response.StatusCode}");
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!SkippedResponseHeaders.Contains(name)) context.Response.Headers[name] = values.ToArray();
        }
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>A request's kind from the REST API's shape (path-style URLs: /account/resource/...).</summary>
    internal static string Kind(string service, string method, string path, IQueryCollection query)
    {
        var parts = path.Trim('/').Split('/', 3);
        var resource = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        var rest = parts.Length > 2 ? parts[2] : "";
        string operation;
        switch (service)
        {
            case "queue":
                operation = (method, rest.Length > 0) switch
                {
                    ("GET", true) when query["peekonly"] == "true" => "peek",
                    ("GET", true) => "receive",
                    ("POST", true) => "put",
                    ("DELETE", true) when rest.Contains('/') => "delete",
                    ("DELETE", true) => "clear",
                    ("PUT", true) => "update",
                    ("GET", false) or ("HEAD", false) => "properties",
                    ("PUT", false) => "create",
                    _ => method.ToLowerInvariant(),
                };
                break;
            case "table":
                // Table(PartitionKey='…',RowKey='…') addresses one entity; Table() or Table?$filter is a query.
                var paren = resource.IndexOf('(');
                var entity = paren > 0 && resource.Contains("RowKey=", StringComparison.Ordinal);
                var table = paren > 0 ? resource[..paren] : resource;
                operation = (method, entity) switch
                {
                    ("POST", false) when table == "$batch" => "batch",
                    ("POST", false) when table == "Tables" => "create-table",
                    ("GET", true) => "get",
                    ("GET", false) => "query",
                    ("PUT", true) or ("MERGE", true) or ("PATCH", true) => "upsert",
                    ("POST", false) => "insert",
                    ("DELETE", true) => "delete",
                    _ => method.ToLowerInvariant(),
                };
                resource = table == "$batch" ? "" : table;
                break;
            default:
                var comp = query["comp"].ToString();
                operation = comp.Length > 0 ? $"{method.ToLowerInvariant()}-{comp}" : method.ToLowerInvariant();
                break;
        }
        return resource.Length > 0 ? $"{service} {operation} {resource}" : $"{service} {operation}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps) await app.DisposeAsync().ConfigureAwait(false);
        _forward.Dispose();
    }
}
