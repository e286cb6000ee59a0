using System.Collections;
using System.Diagnostics;
using LocalFunctionsHost.Configuration;
using LocalFunctionsHost.Functions;
using LocalFunctionsHost.Rpc;
using LocalFunctionsHost.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Push.Testing;
using Xunit.Abstractions;

namespace LocalFunctionsHost.Tests;

/// <summary>
/// Measures (does not assert) the worker hop: InvocationRequest to InvocationResponse through the host's channel for
/// a function that does nothing, idle (one at a time) and with 32 in flight. The host runs in this process so that
/// nothing but the hop is timed; the figures go to the test output.
/// </summary>
[Collection(LocalHostCollection.Name)]
public sealed class InvocationRoundTripMeasurement(AzuriteFixture azurite, ITestOutputHelper output)
{
    private readonly Scenario _scenario = new(azurite);

    [Fact]
    public async Task Measure_the_invocation_round_trip_idle_and_at_32_in_flight()
    {
        var values = _scenario.Values();
        foreach (var name in new[] { "Echo", "EchoString", "EchoBytes" }) values[$"AzureWebJobs.{name}.Disabled"] = "true";
        using var folder = AppFolder.Create(new { version = "2.0" }, values);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables()) environment[(string)entry.Key] = (string)entry.Value!;
        var errors = new List<string>();
        var settings = HostSettings.Load(folder.Path, environment, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));

        // Quiet: the per-invocation lines would time the console, not the hop.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        WebApplication app;
        try
        {
            app = LocalHostApp.Create(settings);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Logging__LogLevel__Default", null);
        }
        await using var _ = app;
        await app.StartAsync();
        var host = app.Services.GetRequiredService<FunctionsHost>();
        await host.StartAsync(LocalHostApp.Address(app), CancellationToken.None);
        var invoker = app.Services.GetRequiredService<FunctionInvoker>();
        var noop = host.Functions.Single(f => f.Name == "Noop");
        try
        {
            await RunAsync(invoker, noop, inFlight: 1, perLoop: 300); // warm-up
            var idle = await RunAsync(invoker, noop, inFlight: 1, perLoop: 2000);
            var loaded = await RunAsync(invoker, noop, inFlight: 32, perLoop: 150);
            output.WriteLine($"invocation round trip, idle:         p50 {P(idle, 0.50):F3} ms, p99 {P(idle, 0.99):F3} ms ({idle.Count} calls)");
            output.WriteLine($"invocation round trip, 32 in flight: p50 {P(loaded, 0.50):F3} ms, p99 {P(loaded, 0.99):F3} ms ({loaded.Count} calls)");
        }
        finally
        {
            await host.StopAsync();
            await app.StopAsync();
        }
    }

    private static async Task<List<double>> RunAsync(FunctionInvoker invoker, FunctionDescriptor function, int inFlight, int perLoop)
    {
        var times = new List<double>[inFlight];
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(loop => Task.Run(async () =>
        {
            var mine = times[loop] = new List<double>(perLoop);
            for (var i = 0; i < perLoop; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await invoker.InvokeAsync(function, "measurement",
                    request => request.InputData.Add(new ParameterBinding { Name = "text", Data = new TypedData { String = "x" } }), CancellationToken.None);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Assert.True(result.Succeeded, $"invocation {result.OutcomeName}: {result.ExceptionType} {result.ExceptionMessage}");
            }
        })));
        return times.SelectMany(t => t).ToList();
    }

    private static double P(List<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(quantile * sorted.Count))];
    }
}
