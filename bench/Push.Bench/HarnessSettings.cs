using System.Globalization;

namespace Push.Bench;

/// <summary>Run parameters; the same ones go to every peer of a comparison.</summary>
internal sealed class HarnessSettings
{
    public string OutPath { get; private set; } = Path.Combine("bench", "results", "latest.json");
    public string? MicroArtifacts { get; private set; }
    public string RepoRoot { get; private set; } = Directory.GetCurrentDirectory();
    public int Requests { get; private set; } = 20_000;
    public int WarmupRequests { get; private set; } = 2_000;
    public int Connections { get; private set; } = 1;
    public int Streams { get; private set; } = 100;
    public int Rounds { get; private set; } = 5;
    public int BodyBytes { get; private set; } = 1024;
    /// <summary>IM events pre-filled for each pipeline drain (relay, bare Azurite loop, each crypto_tax drain).</summary>
    public int PipelineEvents { get; private set; } = 1_000;
    /// <summary>IM events of the counting phase (storage_requests_per_event).</summary>
    public int CountEvents { get; private set; } = 200;
    /// <summary>IM events queued on Service Bus as the backlog the calls are measured under, and drained for peak RSS.</summary>
    public int FloodEvents { get; private set; } = 20_000;
    /// <summary>How long the flood's messages instance may take from its start to drain the backlog (peak RSS is over what drained).</summary>
    public int FloodDrainSeconds { get; private set; } = 240;
    /// <summary>crypto_tax rounds; each is one drain with AES-GCM and one with the pass-through cipher.</summary>
    public int CryptoRounds { get; private set; } = 2;
    /// <summary>Calls measured with and without the backlog.</summary>
    public int Calls { get; private set; } = 30;
    /// <summary>
    /// providers | pipeline: run only that half (while developing); storage-requests: only the counting phase (for work on
    /// the relay's round trips); crypto-tax: only its drains; everything when not given.
    /// </summary>
    public string? Only { get; private set; }

    public static HarnessSettings Parse(ReadOnlySpan<string> args)
    {
        var s = new HarnessSettings();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
            var value = args[++i];
            switch (name)
            {
                case "--out": s.OutPath = value; break;
                case "--micro": s.MicroArtifacts = value; break;
                case "--repo": s.RepoRoot = value; break;
                case "--requests": s.Requests = Int(value, name); break;
                case "--warmup": s.WarmupRequests = Int(value, name); break;
                case "--connections": s.Connections = Int(value, name); break;
                case "--streams": s.Streams = Int(value, name); break;
                case "--rounds": s.Rounds = Int(value, name); break;
                case "--body-bytes": s.BodyBytes = Int(value, name); break;
                case "--pipeline-events": s.PipelineEvents = Int(value, name); break;
                case "--flood-events": s.FloodEvents = Int(value, name); break;
                case "--count-events": s.CountEvents = Int(value, name); break;
                case "--flood-drain-seconds": s.FloodDrainSeconds = Int(value, name); break;
                case "--crypto-rounds": s.CryptoRounds = Int(value, name); break;
                case "--calls": s.Calls = Int(value, name); break;
                case "--only": s.Only = value is "providers" or "pipeline" or "storage-requests" or "crypto-tax" ? value : throw new ArgumentException("--only takes providers, pipeline, storage-requests or crypto-tax"); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }
        return s;
    }

    private static int Int(string value, string name) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, got '{value}'");
}
