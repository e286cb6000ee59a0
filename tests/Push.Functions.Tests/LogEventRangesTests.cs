using Push.Testing;

namespace Push.Functions.Tests;

/// <summary>Push.Functions's EventIds: each used once, each inside its class's row of Push.Functions/LogEvents.md.</summary>
public sealed class LogEventRangesTests
{
    [Fact]
    public void Every_event_id_is_unique_and_inside_its_classs_range() =>
        LogEventRanges.AssertAgree(typeof(Push.Functions.Composition.RelayServiceCollectionExtensions).Assembly, RepositoryPaths.Combine("functions", "Push.Functions", "LogEvents.md"));
}
