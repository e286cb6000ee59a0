namespace Push.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The Service Bus relay with its <c>ProcessDeadLetters</c> timer running every two seconds (the shared environments run
/// it once a year, so their tests find the dead letters they made) and a short replay cool-down.
/// </summary>
public sealed class ServiceBusTriageEnvironment : ServiceBusRelayEnvironment
{
    /// <summary>Longer than the timer's period, so a run sees a fresh transient dead letter while it cools down.</summary>
    public static readonly TimeSpan ReplayCoolDown = TimeSpan.FromSeconds(6);

    public override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Timers__ProcessDeadLetters"] = "*/2 * * * * *";
        settings["DeadLetters__ReplayCoolDown"] = ReplayCoolDown.ToString("c");
        return settings;
    }
}
