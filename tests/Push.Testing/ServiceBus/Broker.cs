using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Push.Testing.ServiceBus;

/// <summary>
/// The emulator's state that outlives a stop and start: queues, open connections, the logs a test inspects, and the
/// one timer that expires locks and enqueues scheduled messages. It knows nothing of listening; the facade does that.
/// </summary>
internal sealed class Broker : IAsyncDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<string, EmulatedQueue> _queues = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<EmulatorConnection, byte> _connections = new();
    private readonly object _logGate = new();
    private readonly List<Settlement> _settlements = [];
    private readonly List<PutTokenRecord> _putTokens = [];
    private readonly List<ManagementRecord> _managementRequests = [];
    private readonly List<DroppedDuplicate> _droppedDuplicates = [];
    private readonly List<string> _faults = [];
    private TaskCompletionSource _changed = NewSignal();
    private ITimer? _sweeper;
    private int _sweeping;
    private int _lastConnectionId;
    private int _drainsAnswered;

    public Broker(ServiceBusEmulatorOptions options)
    {
        Options = options;
        SharedAccessKey = options.SharedAccessKey ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Cbs = new CbsNode(this);
        Router = new LinkRouter(this);
    }

    public ServiceBusEmulatorOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    public string SharedAccessKey { get; }

    public CbsNode Cbs { get; }

    public LinkRouter Router { get; }

    /// <summary>Completes (and is replaced) on every change a test could wait for.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public IReadOnlyList<Settlement> Settlements => Snapshot(_settlements);

    public IReadOnlyList<PutTokenRecord> PutTokens => Snapshot(_putTokens);

    public IReadOnlyList<ManagementRecord> ManagementRequests => Snapshot(_managementRequests);

    public IReadOnlyList<DroppedDuplicate> DroppedDuplicates => Snapshot(_droppedDuplicates);

    public IReadOnlyList<string> Faults => Snapshot(_faults);

    public IReadOnlyCollection<EmulatorConnection> OpenConnections => _connections.Keys.ToList();

    public int DrainsAnswered => Volatile.Read(ref _drainsAnswered);

    /// <summary>The hosts a token may name: the namespace, and the loopback address a development-emulator connection string names.</summary>
    public bool AnswersTo(string host) =>
        host == "127.0.0.1" || host.Equals(Options.FullyQualifiedNamespace, StringComparison.OrdinalIgnoreCase);

    public void CreateQueue(string name, QueueOptions options)
    {
        if (EntityAddress.Parse(name) is not { Kind: NodeKind.Entity, DeadLetter: false } address || address.Queue != name)
            throw new ArgumentException("A queue name is one path segment that does not start with '$'.", nameof(name));
        options.Validate();
        if (!_queues.TryAdd(name, new EmulatedQueue(this, name, options)))
            throw new InvalidOperationException($"Queue '{name}' already exists.");
    }

    public bool TryGetQueue(string name, out EmulatedQueue queue) => _queues.TryGetValue(name, out queue!);

    public EmulatedQueue Queue(string name) =>
        TryGetQueue(name, out var queue) ? queue : throw new KeyNotFoundException($"The emulator has no queue '{name}'.");

    public EmulatorConnection NewConnection() => new(this, Interlocked.Increment(ref _lastConnectionId));

    public void OnConnectionOpened(EmulatorConnection connection)
    {
        _connections.TryAdd(connection, 0);
        NotifyChanged();
    }

    // A lost connection loses its locks at once, as on Service Bus; a closed link alone keeps them.
    public void OnConnectionClosed(EmulatorConnection connection)
    {
        if (!_connections.TryRemove(connection, out _)) return;
        foreach (var queue in _queues.Values) queue.ReleaseLocks(connection);
        NotifyChanged();
    }

    public void Record(Settlement settlement) => Append(_settlements, settlement);

    public void Record(PutTokenRecord putToken) => Append(_putTokens, putToken);

    public void Record(ManagementRecord request) => Append(_managementRequests, request);

    public void Record(DroppedDuplicate duplicate) => Append(_droppedDuplicates, duplicate);

    /// <summary>
    /// An exception inside the emulator: AMQPNetLite would turn it into a closed link or swallow it, so it is kept
    /// for the test to see rather than lost.
    /// </summary>
    public void Fault(Exception exception) => Append(_faults, exception.GetType().Name + ": " + exception.Message + "\n" + exception.StackTrace);

    public void CountDrain()
    {
        Interlocked.Increment(ref _drainsAnswered);
        NotifyChanged();
    }

    public void NotifyChanged() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    public void StartSweeping()
    {
        lock (_logGate) _sweeper ??= Time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
    }

    public async ValueTask DisposeAsync()
    {
        ITimer? sweeper;
        lock (_logGate) sweeper = _sweeper;
        // Waits for a sweep in progress, so none runs after the emulator is disposed.
        if (sweeper is not null) await sweeper.DisposeAsync().ConfigureAwait(false);
    }

    private void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1) return;
        try
        {
            foreach (var queue in _queues.Values) queue.Sweep();
        }
        catch (Exception ex)
        {
            Fault(ex);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void Append<T>(List<T> log, T entry)
    {
        lock (_logGate) log.Add(entry);
        NotifyChanged();
    }

    private IReadOnlyList<T> Snapshot<T>(List<T> log)
    {
        lock (_logGate) return log.ToArray();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
