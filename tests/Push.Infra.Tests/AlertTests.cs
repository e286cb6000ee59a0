using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Push.Core.Credentials;
using Push.Core.DeadLetters;
using Push.Core.Delivery;
using Push.Core.Events;
using Push.Functions.Composition;
using Push.Infra.Tests.Infrastructure;
using Push.Providers.Results;

namespace Push.Infra.Tests;

/// <summary>
/// The alert rules read what the app really publishes: every metric a query names is an instrument of a meter the
/// worker exports, every dimension a query reads is a tag the app records on it, and the filters use the app's own
/// values (the call event type, the reasons that remove a token). The rules notify the action group when one is given.
/// </summary>
public sealed partial class AlertTests(CompiledInfrastructure infra, AlertTests.PublishedMetrics published)
    : IClassFixture<CompiledInfrastructure>, IClassFixture<AlertTests.PublishedMetrics>
{
    private static readonly string[] Rules =
        ["provider-token-refresh-failed", "provider-failures-by-reason", "dead-letters-arriving", "call-enqueue-to-provider-latency"];

    private sealed record Rule(string Name, string Query, JsonObject Condition, JsonObject Properties);

    private static List<Rule> RulesOf(ArmTemplate template) => template.DeployedOfType("Microsoft.Insights/scheduledQueryRules").Select(r =>
    {
        var properties = r.Get("properties")!.AsObject();
        var condition = Assert.Single(properties["criteria"]!["allOf"]!.AsArray())!.AsObject();
        var name = properties["displayName"]!.GetValue<string>()["push relay: ".Length..];
        return new Rule(name, condition["query"]!.GetValue<string>(), condition, properties);
    }).ToList();

    [Fact]
    public void The_four_alarms_watch_the_application_insights_of_the_app()
    {
        var template = infra.Evaluated();
        var rules = RulesOf(template);
        Assert.Equal(Rules.Order(), rules.Select(r => r.Name).Order());
        var appInsights = Assert.Single(template.OfType("Microsoft.Insights/components")).LeafName;
        foreach (var rule in rules)
        {
            Assert.EndsWith("/" + appInsights, Assert.Single(rule.Properties["scopes"]!.AsArray())!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("GreaterThan", rule.Condition["operator"]!.GetValue<string>());
            // The measure is a column the query produces, split by the dimensions it produces.
            Assert.Contains($"summarize {rule.Condition["metricMeasureColumn"]!.GetValue<string>()} =", rule.Query, StringComparison.Ordinal);
            foreach (var dimension in rule.Condition["dimensions"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()))
            {
                Assert.Matches($@"by .*\b{dimension}\b", rule.Query);
            }
        }
    }

    [Fact]
    public void Every_metric_a_rule_reads_is_one_the_app_publishes_and_exports()
    {
        foreach (var rule in RulesOf(infra.Evaluated()))
        {
            var metrics = MetricsOf(rule.Query);
            Assert.NotEmpty(metrics);
            foreach (var metric in metrics)
            {
                Assert.True(published.Instruments.TryGetValue(metric, out var meter), $"{rule.Name} reads {metric}, which the app does not publish");
                Assert.Contains(meter, TelemetryExport.Sources);
            }
        }
    }

    [Fact]
    public void Every_dimension_a_rule_reads_is_a_tag_the_app_records_on_that_metric()
    {
        foreach (var rule in RulesOf(infra.Evaluated()))
        {
            var metrics = MetricsOf(rule.Query);
            var tags = DimensionName().Matches(rule.Query).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).ToList();
            Assert.NotEmpty(tags);
            foreach (var metric in metrics)
            {
                var recorded = published.Tags[metric];
                Assert.All(tags, tag => Assert.True(recorded.Contains(tag), $"{rule.Name} reads tag '{tag}' of {metric}; the app records {string.Join(", ", recorded)}"));
            }
        }
    }

    [Fact]
    public void Provider_failures_leave_out_exactly_the_reasons_that_remove_a_token()
    {
        var rule = Assert.Single(RulesOf(infra.Evaluated()), r => r.Name == "provider-failures-by-reason");
        var excluded = JsonNode.Parse(ExcludedReasons().Match(rule.Query).Groups[1].Value)!.AsArray().Select(r => r!.GetValue<string>());
        var removing = Enum.GetValues<PushFailureReason>().Where(r => r.RemovesToken()).Select(r => r.ToString());
        Assert.Equal(removing.Order(), excluded.Order());
    }

    [Fact]
    public void The_latency_alarm_watches_ringing_calls_and_the_thresholds_are_the_parameters()
    {
        var template = infra.Evaluated()
            .With("callLatencyThresholdMs", JsonValue.Create(1500))
            .With("providerFailureThreshold", JsonValue.Create(7))
            .With("deadLetterThreshold", JsonValue.Create(3));
        var rules = RulesOf(template).ToDictionary(r => r.Name);
        Assert.Contains($"tostring(customDimensions.type) == \"{PushEventTypes.CallIncoming}\"", rules["call-enqueue-to-provider-latency"].Query, StringComparison.Ordinal);
        Assert.Equal(1500, rules["call-enqueue-to-provider-latency"].Condition["threshold"]!.GetValue<int>());
        Assert.Equal(7, rules["provider-failures-by-reason"].Condition["threshold"]!.GetValue<int>());
        Assert.Equal(3, rules["dead-letters-arriving"].Condition["threshold"]!.GetValue<int>());
        // Any refresh failure is an alarm.
        Assert.Equal(0, rules["provider-token-refresh-failed"].Condition["threshold"]!.GetValue<int>());
    }

    [Fact]
    public void The_rules_notify_the_action_group_when_one_is_given_and_nobody_otherwise()
    {
        Assert.All(RulesOf(infra.Evaluated()), r => Assert.Empty(r.Properties["actions"]!["actionGroups"]!.AsArray()));
        const string group = "/subscriptions/0/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/on-call";
        foreach (var rule in RulesOf(infra.Evaluated().With("actionGroupId", JsonValue.Create(group))))
        {
            Assert.Equal(group, Assert.Single(rule.Properties["actions"]!["actionGroups"]!.AsArray())!.GetValue<string>());
        }
    }

    // The metric names a query filters on: `name == "a"` or `name in ("a", "b")`.
    private static List<string> MetricsOf(string query) =>
        MetricFilter().Matches(query).SelectMany(m => QuotedName().Matches(m.Groups[1].Value)).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"\bname (?:==|in) \(?((?:""[^""]*""(?:, )?)+)\)?")]
    private static partial Regex MetricFilter();

    [GeneratedRegex(@"""([^""]+)""")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"customDimensions(?:\.([A-Za-z_]+)|\[""([^""]+)""\])")]
    private static partial Regex DimensionName();

    [GeneratedRegex(@"!in \(dynamic\((\[[^\]]*\])\)\)")]
    private static partial Regex ExcludedReasons();

    /// <summary>
    /// The instruments the app creates (its metric classes, instantiated as the worker does) and the tag keys it records
    /// on them, heard through a <see cref="MeterListener"/> while each is fed one measurement through the app's own methods.
    /// </summary>
    public sealed class PublishedMetrics : IDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        private readonly MeterListener _listener = new();
        private readonly RelayMetrics _relay;
        private readonly DeadLetterMetrics _deadLetters;

        public PublishedMetrics()
        {
            var meters = _services.GetRequiredService<IMeterFactory>();
            _relay = new RelayMetrics(meters);
            _deadLetters = new DeadLetterMetrics(meters);
            _ = CredentialsTelemetry.RefreshFailed;
            _ = Push.Providers.Telemetry.PushProvidersTelemetry.ActivitySource;

            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (!instrument.Meter.Name.StartsWith("Push.", StringComparison.Ordinal)) return;
                Instruments.TryAdd(instrument.Name, instrument.Meter.Name);
                listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
            _listener.Start();

            _relay.PushFailed("apns", nameof(PushFailureReason.ServiceUnavailable));
            _relay.ProviderAnswered("apns", PushEventTypes.CallIncoming, TimeSpan.FromMilliseconds(42));
            _deadLetters.Archived("push-calls", DeadLetterClass.Permanent);
            _deadLetters.Deferred("push-calls");
            _deadLetters.Failed("push-calls");
            // Internal to Push.Core: the one place the refresh failure is recorded, called as the refresher calls it.
            var record = typeof(CredentialsTelemetry).GetMethod("RecordRefreshFailed", BindingFlags.NonPublic | BindingFlags.Static)
                ?? throw new InvalidOperationException("CredentialsTelemetry.RecordRefreshFailed(ProviderTokenKind, string) is gone: update this test");
            record.Invoke(null, [ProviderTokenKind.Apns, "SecretMissing"]);
        }

        /// <summary>Instrument name → meter name.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, string> Instruments { get; } = new();

        /// <summary>Instrument name → the tag keys recorded on it.</summary>
        public System.Collections.Concurrent.ConcurrentDictionary<string, HashSet<string>> Tags { get; } = new();

        private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var keys = Tags.GetOrAdd(instrument.Name, _ => []);
            lock (keys)
            {
                foreach (var tag in tags) keys.Add(tag.Key);
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _relay.Dispose();
            _deadLetters.Dispose();
            _services.Dispose();
        }
    }
}
