using Push.Testing;

namespace Push.Core.Tests;

/// <summary>Push.Core's EventIds: each used once, each inside its class's row of Push.Core/LogEvents.md.</summary>
public sealed class LogEventRangesTests
{
    [Fact]
    public void Every_event_id_is_unique_and_inside_its_classs_range() =>
        LogEventRanges.AssertAgree(typeof(Push.Core.Delivery.EventDelivery).Assembly, RepositoryPaths.Combine("functions", "Push.Core", "LogEvents.md"));
}
