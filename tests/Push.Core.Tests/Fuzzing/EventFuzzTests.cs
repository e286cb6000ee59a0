using Push.Core.Delivery;
using Push.Core.Events;
using Push.Core.Registry;
using Push.Core.Tests.Protection;
using Push.Core.Tests.Routing;
using Push.Core.Tests.Storage;
using Push.Testing.Fuzzing;
using Xunit.Abstractions;

namespace Push.Core.Tests.Fuzzing;

/// <summary>
/// A bounded fuzz run of the parser and what comes after it (issue 17): every mutated event is either accepted
/// or refused with a problem code and a field — never an exception — and an accepted one never throws later, in
/// the registry's and ledger's key builders or in the composer. No reason repeats the event's canary, key or
/// tokens.
/// </summary>
public sealed class EventFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 17_2026;
    private const int Count = 3_000;

    private static readonly EventProblemCode[] WholeDocumentProblems =
        [EventProblemCode.MalformedJson, EventProblemCode.TooLarge, EventProblemCode.NotACloudEvent];

    /// <summary>Mutations that always make an event invalid in one known way: proof the generator really mutates.</summary>
    private static readonly Dictionary<string, EventProblemCode> CertainOutcome = new(StringComparer.Ordinal)
    {
        ["duplicate-key"] = EventProblemCode.DuplicateKey,
        ["invalid-utf8"] = EventProblemCode.MalformedJson,
        ["surrogate-escape"] = EventProblemCode.MalformedJson,
        ["raw-control-char"] = EventProblemCode.MalformedJson,
    };

    private readonly ComposerFixture _composer = new();

    [Fact]
    public void Every_mutated_event_is_accepted_or_refused_with_a_reason_and_nothing_throws_after_the_parser()
    {
        var failures = new List<string>();
        var accepted = new Dictionary<string, int>(StringComparer.Ordinal);
        var problems = new Dictionary<EventProblemCode, int>();
        var refused = new Dictionary<string, int>(StringComparer.Ordinal);
        var iphone = TestDevices.Ios(_composer.Protector, "fuzz-iphone").Device;
        var pixel = TestDevices.Android(_composer.Protector, "fuzz-pixel").Device;

        foreach (var fuzz in EventFuzzer.Generate(Seed, Count))
        {
            EventParseResult result;
            try
            {
                result = PushEventParser.Parse(fuzz.Body);
            }
            catch (Exception ex)
            {
                failures.Add($"{fuzz}: the parser threw {ex.GetType().Name}: {ex.Message}");
                continue;
            }

            if (CertainOutcome.TryGetValue(fuzz.Mutation, out var expected) && result.Problem?.Code != expected)
            {
                failures.Add($"{fuzz}: expected {expected}, got {(result.IsSuccess ? "accepted" : result.Problem!.Code)}");
            }
            if (!result.IsSuccess)
            {
                var problem = result.Problem;
                problems[problem.Code] = problems.GetValueOrDefault(problem.Code) + 1;
                refused[fuzz.Mutation] = refused.GetValueOrDefault(fuzz.Mutation) + 1;
                if (!Enum.IsDefined(problem.Code) || string.IsNullOrWhiteSpace(problem.Problem)
                    || (problem.Field.Length == 0 && !WholeDocumentProblems.Contains(problem.Code)))
                {
                    failures.Add($"{fuzz}: a refusal without a code, a field or a rule: {problem}");
                }
                if (fuzz.Secrets.FirstOrDefault(secret => problem.ToString().Contains(secret, StringComparison.Ordinal)) is { } leaked)
                {
                    failures.Add($"{fuzz}: the reason repeats a secret of the event ({(leaked == fuzz.Canary ? "the canary" : "a key or token")})");
                }
                continue;
            }

            var evt = result.Event;
            accepted[fuzz.Mutation] = accepted.GetValueOrDefault(fuzz.Mutation) + 1;
            try
            {
                KeyBuilders.AssertAccepted(evt);
                if (PushEventTypes.IsDeliverable(evt.Type))
                {
                    foreach (var device in new[] { iphone, pixel })
                    {
                        _ = _composer.Composer.Compose(evt, device, ApnsIds.For(evt.TrackingId, device.DeviceId));
                    }
                }
                else if (evt.Data is DeviceRegisteredData registered)
                {
                    _ = DeviceEventHandler.ToRegistration(evt, registered);
                }
            }
            catch (Exception ex)
            {
                failures.Add($"{fuzz}: accepted, then {ex.GetType().Name}: {ex.Message}");
            }
        }

        output.WriteLine($"seed {Seed}, {Count} cases: {accepted.Values.Sum()} accepted, {problems.Values.Sum()} refused");
        foreach (var (mutation, _) in EventFuzzer.Mutations)
        {
            output.WriteLine($"  {mutation,-22} accepted {accepted.GetValueOrDefault(mutation),5}  refused {refused.GetValueOrDefault(mutation),5}");
        }
        output.WriteLine("  refused as: " + string.Join(", ", problems.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} of {Count} cases failed:\n" + string.Join("\n", failures.Take(25)));

        // The run exercised what it is meant to: valid events of each kind got through, and each way to refuse one was met.
        Assert.True(accepted.GetValueOrDefault("none") > Count / 20, $"only {accepted.GetValueOrDefault("none")} unmutated events accepted");
        foreach (var code in Enum.GetValues<EventProblemCode>())
        {
            Assert.True(problems.GetValueOrDefault(code) > 0, $"no case was refused as {code}");
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_cases_and_another_seed_others()
    {
        var first = EventFuzzer.Generate(Seed, 200).ToList();
        var again = EventFuzzer.Generate(Seed, 200).ToList();
        var other = EventFuzzer.Generate(Seed + 1, 200).ToList();

        Assert.Equal(first.Select(c => Convert.ToHexString(c.Body)), again.Select(c => Convert.ToHexString(c.Body)));
        Assert.NotEqual(first.Select(c => Convert.ToHexString(c.Body)), other.Select(c => Convert.ToHexString(c.Body)));
    }

    [Fact]
    public void Every_case_carries_its_own_canary_and_every_mutation_is_drawn()
    {
        var cases = EventFuzzer.Generate(Seed, Count).ToList();

        Assert.Equal(Count, cases.Select(c => c.Canary).Distinct(StringComparer.Ordinal).Count());
        Assert.All(cases.Where(c => c.Mutation == "none"), c => Assert.Contains(c.Canary, System.Text.Encoding.UTF8.GetString(c.Body), StringComparison.Ordinal));
        Assert.Equal(EventFuzzer.Mutations.Select(m => m.Name).Order(StringComparer.Ordinal), cases.Select(c => c.Mutation).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(EventFuzzer.Types.Order(StringComparer.Ordinal), cases.Select(c => c.BaseType).Distinct().Order(StringComparer.Ordinal));
    }

    public void Dispose() => _composer.Dispose();
}
