using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Rpc;

/// <summary>
/// The host side of <c>FunctionRpc.EventStream</c>: the worker opens the stream and announces itself with
/// StartStream; the stream is then handed to the channel of the process this host started with that worker id.
/// </summary>
internal sealed partial class FunctionRpcService(WorkerChannelRegistry channels, ILogger<FunctionRpcService> logger) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream,
        ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken)) return;
        var first = requestStream.Current;
        if (first.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
        {
            LogNoStartStream(first.ContentCase.ToString());
            return;
        }
        var channel = channels.Find(first.StartStream.WorkerId);
        if (channel is null)
        {
            LogUnknownWorker(first.StartStream.WorkerId);
            return;
        }
        await channel.RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}
