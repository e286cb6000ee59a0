using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Push.Cli;

/// <summary>
/// The CLI's Storage clients: a short retry budget (an operator at a prompt wants an answer in seconds,
/// not after the SDK's half-minute of retries), and a connection failure said as the user's problem, with
/// the endpoint that could not be reached and what to do about it.
/// </summary>
internal sealed class StorageReachability : HttpPipelinePolicy
{
    private static readonly StorageReachability Instance = new();

    /// <summary>Applies the CLI's retry budget and this policy to a Storage client's options.</summary>
    public static T Apply<T>(T options) where T : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        // Per call, outside the retry policy: it sees the failure that is left once the retries are spent.
        options.AddPolicy(Instance, HttpPipelinePosition.PerCall);
        return options;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            ProcessNext(message, pipeline);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw Unreachable(message, ex);
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw Unreachable(message, ex);
        }
    }

    private static CliException Unreachable(HttpMessage message, Exception ex)
    {
        var uri = message.Request.Uri.ToUri();
        return new CliException(
            $"cannot reach the Storage account at {uri.GetLeftPart(UriPartial.Authority)} ({Cause(ex)}): start scripts/dev, or set {CliContext.StorageSetting}",
            ex);
    }

    private static bool IsConnectionFailure(Exception ex) => CliException.Chain(ex).Any(e =>
        e is SocketException
        || e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError });

    private static string Cause(Exception ex) =>
        CliException.Chain(ex).OfType<SocketException>().FirstOrDefault()?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound or SocketError.NoData => "host not found",
            SocketError.TimedOut => "timed out",
            { } other => other.ToString(),
            null => "no connection",
        };
}
