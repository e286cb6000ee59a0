using Azure.Core;
using Azure.Core.Pipeline;

namespace Push.Core.Tests.Registry;

/// <summary>
/// A pipeline policy on the registry's table client that, once armed, runs an action just before the first entity
/// write the client sends (an insert, replace, merge or delete; not a read, and not the table's own creation). The
/// registry has read the row by then, so another writer that runs in the action wins the race deterministically,
/// and the registry's conditional write meets the changed row exactly as it would on Azure.
/// </summary>
internal sealed class RaceBeforeFirstEntityWrite : HttpPipelinePolicy
{
    private Func<Task>? _armed;

    /// <summary>Whether the action has run.</summary>
    public bool Ran { get; private set; }

    public void Arm(Func<Task> otherWriter) => _armed = otherWriter;

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (IsEntityWrite(message.Request) && Interlocked.Exchange(ref _armed, null) is { } otherWriter)
        {
            await otherWriter().ConfigureAwait(false);
            Ran = true;
        }
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        throw new NotSupportedException("The registry calls the table client asynchronously only.");

    private static bool IsEntityWrite(Request request) =>
        request.Method != RequestMethod.Get
        && !request.Uri.Path.EndsWith("/Tables", StringComparison.OrdinalIgnoreCase);
}
