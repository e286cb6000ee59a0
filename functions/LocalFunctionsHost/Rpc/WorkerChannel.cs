using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace LocalFunctionsHost.Rpc;

/// <summary>
/// The host's side of one worker process's <c>EventStream</c> (the Functions host's <c>GrpcWorkerChannel</c>): one
/// ordered writer for everything sent to the worker (the response stream allows no concurrent writes), a table of
/// outstanding invocations keyed by invocation id, and the worker's capabilities, negotiated once at init.
/// </summary>
internal sealed partial class WorkerChannel
{
    /// <summary>Told to the worker in WorkerInitRequest.host_version.</summary>
    public const string HostVersion = "4.0.0-localfunctionshost";

    private readonly Channel<StreamingMessage> _outbound = System.Threading.Channels.Channel.CreateUnbounded<StreamingMessage>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FunctionLoadResponse>> _loads = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WorkerInitResponse> _init = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<FunctionMetadataResponse> _metadata = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WorkerLogSink _logs;
    private readonly ILogger _logger;
    private readonly Lock _closing = new();
    private int _attached;
    private volatile bool _isClosed;

    public WorkerChannel(string workerId, WorkerLogSink logs, ILogger logger)
    {
        WorkerId = workerId;
        _logs = logs;
        _logger = logger;
    }

    public string WorkerId { get; }

    /// <summary>The worker's capabilities from its WorkerInitResponse (empty until then; set once).</summary>
    public FrozenDictionary<string, string> Capabilities { get; private set; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Completes when the worker has opened its stream (sent StartStream).</summary>
    public Task Connected => _connected.Task;

    /// <summary>Completes when the stream has ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>How many invocations were outstanding when the channel closed (they failed with <see cref="WorkerLostException"/>).</summary>
    public int LostInvocations { get; private set; }

    /// <summary>Serves the stream until the worker closes it or the host stops: reads and dispatches, while one loop writes.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses,
        CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _attached, 1) == 1)
        {
            LogDuplicateStream(WorkerId);
            return;
        }
        _connected.TrySetResult();
        var writer = WriteLoopAsync(responses, cancellationToken);
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                Dispatch(requests.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or Grpc.Core.RpcException or OperationCanceledException or InvalidOperationException)
        {
            // The worker went away mid-stream: handled below like an orderly end.
        }
        finally
        {
            Close("the worker's stream ended");
            try
            {
                await writer;
            }
            catch (Exception ex) when (ex is IOException or Grpc.Core.RpcException or OperationCanceledException or InvalidOperationException)
            {
            }
        }
    }

    public async Task<WorkerInitResponse> InitializeAsync(string appDirectory, TimeSpan timeout)
    {
        Send(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = HostVersion,
                WorkerDirectory = appDirectory,
                FunctionAppDirectory = appDirectory,
            },
        });
        var response = await Await(_init.Task, timeout, "WorkerInitResponse");
        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException("the worker failed to initialise: " + Describe(response.Result));
        }
        // Negotiated once: later messages never change what the host believes the worker can do.
        Capabilities = response.Capabilities.ToFrozenDictionary(StringComparer.Ordinal);
        return response;
    }

    public async Task<FunctionMetadataResponse> GetMetadataAsync(string appDirectory, TimeSpan timeout)
    {
        Send(new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } });
        return await Await(_metadata.Task, timeout, "FunctionMetadataResponse");
    }

    public async Task<FunctionLoadResponse> LoadAsync(FunctionLoadRequest request, TimeSpan timeout)
    {
        var pending = new TaskCompletionSource<FunctionLoadResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loads[request.FunctionId] = pending;
        Send(new StreamingMessage { FunctionLoadRequest = request });
        return await Await(pending.Task, timeout, "FunctionLoadResponse");
    }

    /// <summary>Sends the invocation; the task ends with the worker's response, or fails with <see cref="WorkerLostException"/>.</summary>
    public Task<InvocationResponse> InvokeAsync(InvocationRequest request)
    {
        var pending = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _invocations[request.InvocationId] = pending;
        // Pairs with Close: either Close sees this invocation in the table, or this sees the channel closed.
        Interlocked.MemoryBarrier();
        if (_isClosed) pending.TrySetException(new WorkerLostException("the worker's stream had already ended"));
        else Send(new StreamingMessage { InvocationRequest = request });
        return pending.Task;
    }

    /// <summary>Asks the worker to cancel an invocation (if it said it handles InvocationCancel).</summary>
    public void Cancel(string invocationId)
    {
        if (!_invocations.ContainsKey(invocationId) || !Capabilities.ContainsKey("HandlesInvocationCancelMessage")) return;
        Send(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });
    }

    /// <summary>Stops waiting for an invocation the worker did not answer after its cancel; a late answer is dropped.</summary>
    public void Forget(string invocationId) => _invocations.TryRemove(invocationId, out _);

    public void Terminate(TimeSpan gracePeriod) =>
        Send(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) } });

    /// <summary>
    /// Ends the channel: every outstanding request fails with <see cref="WorkerLostException"/>. The stream's end and the
    /// process's exit can both call this at once; the lock makes the second caller wait until <see cref="LostInvocations"/>
    /// is counted, and <see cref="Closed"/> completes only after that, so nobody reads a count still being made.
    /// </summary>
    public void Close(string reason)
    {
        lock (_closing)
        {
            if (_isClosed) return;
            _isClosed = true;
            Interlocked.MemoryBarrier();
            _outbound.Writer.TryComplete();
            var lost = new WorkerLostException(reason);
            _init.TrySetException(lost);
            _metadata.TrySetException(lost);
            foreach (var id in _loads.Keys)
            {
                if (_loads.TryRemove(id, out var load)) load.TrySetException(lost);
            }
            var count = 0;
            foreach (var id in _invocations.Keys)
            {
                if (!_invocations.TryRemove(id, out var invocation)) continue;
                invocation.TrySetException(lost);
                count++;
            }
            LostInvocations = count;
            _closed.TrySetResult();
        }
    }

    private void Send(StreamingMessage message)
    {
        // After Close the writer is completed: the message is dropped, and whoever waits on its answer already failed.
        _outbound.Writer.TryWrite(message);
    }

    private async Task WriteLoopAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken))
        {
            await responses.WriteAsync(message, cancellationToken);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                _logs.Write(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryRemove(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                _init.TrySetResult(message.WorkerInitResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                _metadata.TrySetResult(message.FunctionMetadataResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                if (_loads.TryRemove(message.FunctionLoadResponse.FunctionId, out var load)) load.TrySetResult(message.FunctionLoadResponse);
                break;
            case StreamingMessage.ContentOneofCase.StartStream:
            case StreamingMessage.ContentOneofCase.WorkerStatusResponse:
                break;
            default:
                LogUnexpectedMessage(WorkerId, message.ContentCase.ToString());
                break;
        }
    }

    private async Task<T> Await<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the worker sent no {what} within {timeout:c}");
        }
    }

    /// <summary>A status's failure as text: the exception type and message the worker reported.</summary>
    public static string Describe(StatusResult? result) =>
        result?.Exception is { } ex ? $"{ex.Type} {ex.Message}".Trim() : result?.Result ?? "no details";
}
