using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Push.Providers.Apns;
using Push.Providers.Fcm;
using Push.Providers.Results;

namespace Push.Bench;

/// <summary>
/// Every key in one run. Provider comparisons: one sandbox process, then for each round h2load, our client and
/// node-apn against the same endpoint with the same body, connections, streams in flight and request count (each
/// figure the best of the rounds). Then the pipeline keys (<see cref="Pipeline"/>). Each ratio divides two figures
/// from this run.
/// </summary>
internal static class Harness
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(HarnessSettings s)
    {
        var repo = Path.GetFullPath(s.RepoRoot);
        var work = Directory.CreateTempSubdirectory("push-bench-");
        var comparisons = new List<JsonObject>();
        var problems = new List<string>();
        try
        {
            var h2load = Processes.Which("h2load");
            var node = Processes.Which("node");
            var nodeApnScript = Path.Combine(repo, "bench", "node", "node-apn-load.js");
            var nodeApnMissing = node is null ? "node is not on PATH"
                : !Directory.Exists(Path.Combine(repo, "node_modules", "@parse", "node-apn")) ? "node_modules/@parse/node-apn is missing (run npm ci at the repository root)"
                : null;
            var h2loadMissing = h2load is null ? "h2load is not on PATH (apt-get install -y nghttp2-client)" : null;

            if (s.Only is null or "providers") await ProviderComparisonsAsync(s, repo, work.FullName, comparisons, h2load, h2loadMissing, node, nodeApnScript, nodeApnMissing);
            if (s.Only != "providers")
            {
                try
                {
                    comparisons.AddRange(await Pipeline.RunAsync(s, repo, work.FullName));
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or Azure.RequestFailedException
                    or System.Net.Http.HttpRequestException or Azure.Messaging.ServiceBus.ServiceBusException)
                {
                    Console.Error.WriteLine("pipeline: " + e);
                    foreach (var key in Pipeline.Keys)
                    {
                        comparisons.Add(new JsonObject { ["key"] = key, ["status"] = "failed", ["reason"] = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}" });
                    }
                }
            }
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { /* a peer still closing its log */ }
        }

        var micro = s.MicroArtifacts is null ? null : MicroSummary.Read(s.MicroArtifacts);
        var document = new JsonObject
        {
            ["generatedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["machine"] = Machine(),
            ["comparisons"] = new JsonArray([.. comparisons]),
            ["micro"] = micro ?? (JsonNode)new JsonObject { ["status"] = "not measured", ["reason"] = "no BenchmarkDotNet artifacts given (--micro)" },
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(s.OutPath))!);
        await File.WriteAllTextAsync(s.OutPath, document.ToJsonString(Indented) + "\n");

        var table = Table.Render(comparisons, micro);
        await File.WriteAllTextAsync(Path.ChangeExtension(s.OutPath, ".md"), table);
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"written: {s.OutPath}");
        foreach (var c in comparisons.Where(c => (string?)c["status"] is "failed" or "peer missing"))
        {
            problems.Add($"{c["key"]}: {c["status"]} — {c["reason"]}");
        }
        if (micro is not null && (string?)micro["status"] != "measured")
        {
            problems.Add($"micro: {micro["status"]} — {micro["reason"]}");
        }
        foreach (var p in problems) Console.Error.WriteLine(p);
        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task ProviderComparisonsAsync(HarnessSettings s, string repo, string work, List<JsonObject> comparisons,
        string? h2load, string? h2loadMissing, string? node, string nodeApnScript, string? nodeApnMissing)
    {
        var self = typeof(Harness).Assembly.Location;
        await using var sandbox = await FunctionHost.StartChildAsync("dotnet", [self, "sandbox", Path.Combine(work, "sandbox")], repo);
        await sandbox.WaitForOutputAsync("Sandbox ready", TimeSpan.FromSeconds(60));
        var infoLine = sandbox.Output.Split('\n').First(l => l.StartsWith("SANDBOX ", StringComparison.Ordinal));
        var info = JsonSerializer.Deserialize<SandboxInfo>(infoLine["SANDBOX ".Length..])!;
        Console.WriteLine($"sandbox pid {sandbox.Id}: APNs {info.ApnsEndpoint}, FCM {info.FcmEndpoint}");

        var apns = await ApnsComparisonsAsync(s, repo, work, info, h2load, h2loadMissing, node, nodeApnScript, nodeApnMissing);
        comparisons.AddRange(apns);
        comparisons.Add(await FcmComparisonAsync(s, work, info, h2load, h2loadMissing));
    }

    private static async Task<List<JsonObject>> ApnsComparisonsAsync(HarnessSettings s, string repo, string work, SandboxInfo info,
        string? h2load, string? h2loadMissing, string? node, string nodeApnScript, string? nodeApnMissing)
    {
        var body = ApnsBody(s.BodyBytes);
        var bodyPath = Path.Combine(work, "apns-body.json");
        await File.WriteAllBytesAsync(bodyPath, body);
        var deviceToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var apnsUri = new Uri(info.ApnsEndpoint);
        var inFlight = s.Connections * s.Streams;

        // h2load's provider token: minted here with the product's issuer from the sandbox's .p8.
        var p8 = ECDsa.Create();
        p8.ImportFromPem(await File.ReadAllTextAsync(info.ApnsKeyPath));
        using var h2loadIssuer = new ApnsJwtIssuer(info.TeamId, info.KeyId, p8, TimeSpan.FromMinutes(50), TimeProvider.System);
        var jwt = (await h2loadIssuer.GetAsync(CancellationToken.None)).Jwt;
        (string, string)[] headers =
        [
            ("authorization", "bearer " + jwt),
            ("apns-topic", info.BundleId),
            ("apns-push-type", "alert"),
            ("apns-priority", "10"),
            ("apns-expiration", "0"),
            ("content-type", "application/json"),
        ];
        var h2loadUrl = new Uri(apnsUri, "/3/device/" + deviceToken);

        // Ours: the product client and issuer as the host composes them.
        var options = new ApnsOptions
        {
            Endpoint = apnsUri,
            TeamId = info.TeamId,
            KeyId = info.KeyId,
            PrivateKeyPath = info.ApnsKeyPath,
            TrustedCaPath = info.CaPath,
            Connections = s.Connections,
            MaxConcurrentStreamsPerConnection = s.Streams,
        };
        using var issuer = new ApnsJwtIssuer(Options.Create(options), TimeProvider.System, NullLogger<ApnsJwtIssuer>.Instance);
        using var client = new ApnsClient(Options.Create(options), issuer, TimeProvider.System, NullLogger<ApnsClient>.Instance);
        var template = new ApnsNotification(deviceToken, ApnsPushType.Alert, info.BundleId, 10, null, null, Guid.Empty, body);
        async Task<bool> SendOurs() =>
            await client.SendAsync(template with { ApnsId = Guid.NewGuid() }, CancellationToken.None).ConfigureAwait(false) is PushAccepted;

        var warm = await ClosedLoop.RunAsync("ours", s.WarmupRequests, inFlight, SendOurs);
        if (!warm.Ok) throw new InvalidOperationException("our APNs client failed while warming up: " + warm.Failure);

        var ours = new List<LoadResult>();
        var h2 = new List<LoadResult>();
        var nodeApn = new List<LoadResult>();
        for (var round = 0; round < s.Rounds; round++)
        {
            // Alternate who goes first so a noisy neighbour does not always hit the same peer.
            async Task Peer()
            {
                if (h2load is not null) h2.Add(await H2Load.RunAsync(h2load, h2loadUrl, headers, bodyPath, s.Requests, s.Connections, s.Streams, work));
            }
            if (round % 2 == 0) await Peer();
            ours.Add(await ClosedLoop.RunAsync("ours", s.Requests, inFlight, SendOurs));
            if (round % 2 == 1) await Peer();
            if (nodeApnMissing is null)
            {
                nodeApn.Add(await NodeApnAsync(node!, nodeApnScript, repo, info, deviceToken, bodyPath, s, inFlight));
            }
            Console.WriteLine($"apns round {round + 1}: ours {Last(ours)}, h2load {Last(h2)}, node-apn {Last(nodeApn)}");
        }

        var parameters = Parameters(s, body.Length, "APNs " + apnsUri.Authority);
        return
        [
            Compare("apns_vs_h2load", ours, "our ApnsClient", "pushes/s", h2, "h2load", "req/s", h2loadMissing, 0.9, parameters,
                "h2load: -n/-c/-m/-d with the same headers and a JWT minted from the sandbox's .p8; ours: ApnsClient (Connections=c, MaxConcurrentStreamsPerConnection=m) with c×m sends in flight."),
            Compare("apns_vs_node_apn", ours, "our ApnsClient", "pushes/s", nodeApn, "@parse/node-apn 8.1.0", "pushes/s", nodeApnMissing, 3.0, parameters,
                "node-apn: one Provider (token auth, ca = sandbox CA), c×m sends in flight, rawPayload = the same body."),
        ];
    }

    private static async Task<LoadResult> NodeApnAsync(string node, string script, string repo, SandboxInfo info, string deviceToken,
        string bodyPath, HarnessSettings s, int inFlight)
    {
        var options = JsonSerializer.Serialize(new
        {
            keyPath = info.ApnsKeyPath,
            keyId = info.KeyId,
            teamId = info.TeamId,
            port = new Uri(info.ApnsEndpoint).Port,
            caPath = info.CaPath,
            deviceToken,
            topic = info.BundleId,
            bodyPath,
            requests = s.Requests,
            warmup = s.WarmupRequests,
            concurrency = inFlight,
        });
        var (exit, stdout, stderr) = await Processes.RunAsync(node, [script, options], TimeSpan.FromMinutes(5), repo);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (line is null) return new LoadResult("node-apn", s.Requests, 0, 1, null, null, $"node-apn printed nothing (exit {exit}): {stderr.Trim()}");
        var r = JsonNode.Parse(line)!;
        var sent = (int)r["sent"]!;
        var failed = (int)r["failed"]!;
        var seconds = (double)r["seconds"]!;
        var failure = exit != 0 || failed > 0 || sent != s.Requests
            ? $"node-apn: {sent} sent, {failed} failed (exit {exit}); first failure {r["firstFailure"]?.ToJsonString()}"
            : null;
        return new LoadResult("node-apn", s.Requests, sent, seconds > 0 ? seconds : 1, (double?)r["p50Ms"], (double?)r["p99Ms"], failure);
    }

    private static async Task<JsonObject> FcmComparisonAsync(HarnessSettings s, string work, SandboxInfo info, string? h2load, string? h2loadMissing)
    {
        var options = new FcmOptions
        {
            Endpoint = new Uri(info.FcmEndpoint),
            ServiceAccountPath = info.ServiceAccountPath,
            TrustedCaPath = info.CaPath,
        };
        using var tokens = new GoogleServiceAccountTokenSource(Options.Create(options), TimeProvider.System, NullLogger<GoogleServiceAccountTokenSource>.Instance);
        using var client = new FcmClient(Options.Create(options), tokens, TimeProvider.System, NullLogger<FcmClient>.Instance);
        // h2load gets the same access token, from the sandbox's OAuth endpoint.
        var accessToken = (await tokens.GetAsync(CancellationToken.None)).AccessToken;

        var registrationToken = "fcm-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(40));
        var (message, body) = FcmBody(registrationToken, s.BodyBytes);
        var bodyPath = Path.Combine(work, "fcm-body.json");
        await File.WriteAllBytesAsync(bodyPath, body);
        var url = new Uri(new Uri(info.FcmEndpoint), "/v1/projects/" + Uri.EscapeDataString(info.ProjectId) + "/messages:send");
        (string, string)[] headers = [("authorization", "Bearer " + accessToken), ("content-type", "application/json")];
        var inFlight = s.Connections * s.Streams;

        async Task<bool> SendOurs() => await client.SendAsync(message, CancellationToken.None).ConfigureAwait(false) is PushAccepted;
        var warm = await ClosedLoop.RunAsync("ours", s.WarmupRequests, inFlight, SendOurs);
        if (!warm.Ok) throw new InvalidOperationException("our FCM client failed while warming up: " + warm.Failure);

        var ours = new List<LoadResult>();
        var h2 = new List<LoadResult>();
        for (var round = 0; round < s.Rounds; round++)
        {
            async Task Peer()
            {
                if (h2load is not null) h2.Add(await H2Load.RunAsync(h2load, url, headers, bodyPath, s.Requests, s.Connections, s.Streams, work));
            }
            if (round % 2 == 0) await Peer();
            ours.Add(await ClosedLoop.RunAsync("ours", s.Requests, inFlight, SendOurs));
            if (round % 2 == 1) await Peer();
            Console.WriteLine($"fcm round {round + 1}: ours {Last(ours)}, h2load {Last(h2)}");
        }
        return Compare("fcm_vs_h2load", ours, "our FcmClient", "messages/s", h2, "h2load", "req/s", h2loadMissing, 0.9,
            Parameters(s, body.Length, "FCM " + url.Authority),
            "h2load: the same messages:send body and an access token from the sandbox's OAuth endpoint; ours: FcmClient (one pooled HTTP/2 handler) with c×m sends in flight.");
    }

    private static JsonObject Compare(string key, List<LoadResult> ours, string oursName, string oursUnit,
        List<LoadResult> peer, string peerName, string peerUnit, string? peerMissing, double goal, JsonObject parameters, string method)
    {
        var entry = new JsonObject { ["key"] = key, ["goal"] = $">= {goal.ToString(CultureInfo.InvariantCulture)}", ["goalValue"] = goal };
        if (peerMissing is not null)
        {
            entry["status"] = "peer missing";
            entry["reason"] = peerMissing;
            return entry;
        }
        var failed = ours.Concat(peer).FirstOrDefault(r => !r.Ok);
        if (failed is not null || ours.Count == 0 || peer.Count == 0)
        {
            entry["status"] = "failed";
            entry["reason"] = failed?.Failure ?? $"{failed?.Peer}: {failed?.Succeeded} of {failed?.Requests} succeeded";
            return entry;
        }
        var bestOurs = ours.MaxBy(r => r.PerSecond)!;
        var bestPeer = peer.MaxBy(r => r.PerSecond)!;
        var ratio = bestOurs.PerSecond / bestPeer.PerSecond;
        entry["status"] = "measured";
        entry["ours"] = Figure(oursName, oursUnit, bestOurs, ours);
        entry["peer"] = Figure(peerName, peerUnit, bestPeer, peer);
        entry["ratio"] = Math.Round(ratio, 3);
        entry["goalMet"] = ratio >= goal;
        entry["parameters"] = parameters.DeepClone();
        entry["method"] = method;
        return entry;
    }

    private static JsonObject Figure(string name, string unit, LoadResult best, List<LoadResult> all) => new()
    {
        ["name"] = name,
        ["value"] = Math.Round(best.PerSecond, 1),
        ["unit"] = unit,
        ["p50Ms"] = Round(best.P50Ms),
        ["p99Ms"] = Round(best.P99Ms),
        ["rounds"] = new JsonArray([.. all.Select(r => (JsonNode)JsonValue.Create(Math.Round(r.PerSecond, 1)))]),
    };

    private static double? Round(double? v) => v is { } x && double.IsFinite(x) ? Math.Round(x, 3) : null;

    private static JsonObject Parameters(HarnessSettings s, int bodyBytes, string endpoint) => new()
    {
        ["endpoint"] = endpoint,
        ["requests"] = s.Requests,
        ["warmupRequests"] = s.WarmupRequests,
        ["connections"] = s.Connections,
        ["streamsInFlightPerConnection"] = s.Streams,
        ["bodyBytes"] = bodyBytes,
        ["rounds"] = s.Rounds,
        ["figure"] = "best of rounds",
    };

    private static string Last(List<LoadResult> results) => results.Count == 0 ? "-" : results[^1] switch
    {
        { Ok: false } r => "FAILED " + r.Failure,
        var r => $"{r.PerSecond:0}/s p50 {r.P50Ms:0.00} ms p99 {r.P99Ms:0.00} ms",
    };

    /// <summary>An alert with a sealed-looking field, padded to exactly <paramref name="size"/> bytes.</summary>
    internal static byte[] ApnsBody(int size)
    {
        const string prefix = "{\"aps\":{\"alert\":{\"title\":\"New message\"},\"mutable-content\":1},\"enc\":\"";
        const string suffix = "\"}";
        return Encoding.ASCII.GetBytes(prefix + Filler(size - prefix.Length - suffix.Length) + suffix);
    }

    /// <summary>The FCM message and the exact body FcmClient sends for it, about <paramref name="size"/> bytes.</summary>
    internal static (FcmMessage Message, byte[] Body) FcmBody(string registrationToken, int size)
    {
        static byte[] Serialize(string token, string enc)
        {
            // The shape FcmClient writes (message.token, message.data, message.android.priority).
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteStartObject("message");
                w.WriteString("token", token);
                w.WriteStartObject("data");
                w.WriteString("enc", enc);
                w.WriteEndObject();
                w.WriteStartObject("android");
                w.WriteString("priority", "high");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }
        var overhead = Serialize(registrationToken, "").Length;
        var enc = Filler(Math.Max(16, size - overhead));
        var message = new FcmMessage(registrationToken, new Dictionary<string, string> { ["enc"] = enc }, FcmAndroidPriority.High, null, null);
        return (message, Serialize(registrationToken, enc));
    }

    private static string Filler(int length) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(length))[..length].Replace('+', '-').Replace('/', '_');

    private static JsonObject Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return new JsonObject
        {
            ["nproc"] = Environment.ProcessorCount,
            ["cpuModel"] = cpu ?? "unknown",
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
            ["h2load"] = VersionOf("h2load", "--version"),
            ["node"] = VersionOf("node", "--version"),
            // The machine is shared: the 1/5/15-minute load averages when the results were written.
            ["loadAverage"] = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null,
        };
    }

    private static string? VersionOf(string tool, string flag)
    {
        var path = Processes.Which(tool);
        if (path is null) return null;
        var (_, stdout, _) = Processes.RunAsync(path, [flag], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        return stdout.Trim().Split('\n')[0];
    }
}
