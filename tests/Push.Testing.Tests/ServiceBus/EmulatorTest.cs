using Azure.Messaging.ServiceBus;
using Push.Testing.ServiceBus;

namespace Push.Testing.Tests.ServiceBus;

/// <summary>
/// A fresh emulator with queue <see cref="Queue"/> and a connection-string client per test (xunit makes one instance
/// per test). Every test ends by checking the emulator recorded no internal fault.
/// </summary>
public abstract class EmulatorTest : IAsyncLifetime
{
    protected const string Queue = "q";

    /// <summary>Bounds a receive or a wait in a failing test; not a performance claim.</summary>
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    protected ServiceBusEmulator Emulator { get; private set; } = null!;

    protected ServiceBusClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await ServiceBusEmulator.StartNewAsync();
        Emulator.CreateQueue(Queue);
        Client = new ServiceBusClient(Emulator.ConnectionString, ClientOptions());
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        var faults = Emulator.Faults;
        await Emulator.DisposeAsync();
        Assert.Empty(faults);
    }

    /// <summary>Short retries, so a reconnect after a stop or a cut connection takes a moment, not the SDK's default minute.</summary>
    public static ServiceBusClientOptions ClientOptions() => new()
    {
        RetryOptions = new ServiceBusRetryOptions
        {
            Mode = ServiceBusRetryMode.Exponential,
            MaxRetries = 5,
            Delay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(1),
            TryTimeout = TimeSpan.FromSeconds(15),
        },
    };

    /// <summary>Sends one message per id, its body "body of &lt;id&gt;".</summary>
    protected async Task SendAsync(string queue, params string[] messageIds)
    {
        await using var sender = Client.CreateSender(queue);
        foreach (var id in messageIds) await sender.SendMessageAsync(new ServiceBusMessage("body of " + id) { MessageId = id });
    }

    protected static async Task<ServiceBusReceivedMessage> ReceiveOneAsync(ServiceBusReceiver receiver) =>
        await receiver.ReceiveMessageAsync(Wait) ?? throw new TimeoutException($"no message arrived within {Wait}");

    protected static async Task<List<ServiceBusReceivedMessage>> ReceiveAsync(ServiceBusReceiver receiver, int count)
    {
        var received = new List<ServiceBusReceivedMessage>();
        while (received.Count < count) received.Add(await ReceiveOneAsync(receiver));
        return received;
    }

    protected static long Milliseconds(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds() ?? throw new ArgumentNullException(nameof(time));
}
