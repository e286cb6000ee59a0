using Push.Testing;

namespace Push.Providers.Tests;

/// <summary>Push.Providers's EventIds: each used once, each inside its class's row of Push.Providers/LogEvents.md.</summary>
public sealed class LogEventRangesTests
{
    [Fact]
    public void Every_event_id_is_unique_and_inside_its_classs_range() =>
        LogEventRanges.AssertAgree(typeof(Push.Providers.Apns.ApnsClient).Assembly, RepositoryPaths.Combine("functions", "Push.Providers", "LogEvents.md"));
}
