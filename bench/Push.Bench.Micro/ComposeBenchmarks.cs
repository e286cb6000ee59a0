using BenchmarkDotNet.Attributes;
using Push.Core.Protection;
using Push.Core.Routing;

namespace Push.Bench.Micro;

/// <summary>Composing an IM for an iPhone (plan, plaintext, seal, APNs JSON) against sealing the same bytes alone.</summary>
[MemoryDiagnoser]
public class ComposeBenchmarks
{
    private Fixtures _f = null!;
    private byte[] _plaintext = null!;
    private Guid _apnsId;

    [GlobalSetup]
    public void Setup()
    {
        _f = new Fixtures();
        _apnsId = Guid.NewGuid();
        // The baseline seals as many bytes as Compose does for this event.
        var composed = _f.Composer.Compose(_f.Im, _f.Device, _apnsId);
        if (composed is not ComposedPush.Apns apns)
        {
            throw new InvalidOperationException($"expected an APNs push, got {composed}");
        }
        using var payload = System.Text.Json.JsonDocument.Parse(apns.Notification.Payload);
        var ciphertext = payload.RootElement.GetProperty(PushEnvelope.ApnsPayloadKey).GetProperty(PushEnvelope.CiphertextField).GetString()!;
        _plaintext = new byte[System.Buffers.Text.Base64Url.DecodeFromChars(ciphertext).Length - PushEnvelope.TagBytes];
        Console.WriteLine($"// composed APNs body {apns.Notification.Payload.Length} bytes, sealed plaintext {_plaintext.Length} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _f.Dispose();

    [Benchmark(Baseline = true)]
    public PushEnvelope SealOnly() => _f.Cipher.Seal(_f.Device, "im", _f.Im.TrackingId, _plaintext);

    [Benchmark]
    public ComposedPush ComposeIm() => _f.Composer.Compose(_f.Im, _f.Device, _apnsId);
}
