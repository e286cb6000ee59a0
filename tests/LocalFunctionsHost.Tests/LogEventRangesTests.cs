using Push.Testing;

namespace LocalFunctionsHost.Tests;

/// <summary>LocalFunctionsHost's EventIds: each used once, each inside its class's row of LocalFunctionsHost/LogEvents.md.</summary>
public sealed class LogEventRangesTests
{
    [Fact]
    public void Every_event_id_is_unique_and_inside_its_classs_range() =>
        LogEventRanges.AssertAgree(typeof(LocalFunctionsHost.Configuration.HostSettings).Assembly, RepositoryPaths.Combine("functions", "LocalFunctionsHost", "LogEvents.md"));
}
