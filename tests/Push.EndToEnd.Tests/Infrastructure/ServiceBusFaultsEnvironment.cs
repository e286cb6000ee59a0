namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The Service Bus relay for tests that break things (a provider slower than the lock, a killed worker, the relay's own
/// storage failing, the broker restarting): its own emulator, Azurite, sandbox and host, so nothing else runs meanwhile.
/// Provider requests may take 30 s (the shared environment gives up after 2 s, before a push could outlast a 5 s lock),
/// and the retry budget is a minute, so a Retry-After of some seconds is waited for rather than dead-lettered.
/// The Storage-queue functions stay enabled beside the Service Bus processors, so one host shows both transports'
/// answer to a function that fails on every delivery.
/// </summary>
public sealed class ServiceBusFaultsEnvironment : ServiceBusRelayEnvironment
{
    public static readonly TimeSpan ProviderTimeout = TimeSpan.FromSeconds(30);

    public override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Apns__RequestTimeout"] = ProviderTimeout.ToString("c");
        settings["Fcm__RequestTimeout"] = ProviderTimeout.ToString("c");
        settings["Delivery__RetryBudget"] = "00:01:00";
        settings["AzureWebJobs.DeliverCall.Disabled"] = null;
        settings["AzureWebJobs.DeliverMessage.Disabled"] = null;
        settings["AzureWebJobs.ManageDevices.Disabled"] = null;
        return settings;
    }

    /// <summary>The same settings with the Storage transport, as the CLI of an operator on Storage queues has them.</summary>
    public Dictionary<string, string?> StorageQueueSettings()
    {
        var settings = Settings();
        settings["Queues__Transport"] = null;
        return settings;
    }
}
