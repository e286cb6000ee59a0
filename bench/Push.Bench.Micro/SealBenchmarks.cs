using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Push.Core.Protection;

namespace Push.Bench.Micro;

/// <summary>Sealing a 1 KB payload: the product's cipher (a cached AesGcm per device key) against building one per push.</summary>
[MemoryDiagnoser]
public class SealBenchmarks
{
    private Fixtures _f = null!;
    private byte[] _plaintext = null!;

    [GlobalSetup]
    public void Setup()
    {
        _f = new Fixtures();
        _plaintext = RandomNumberGenerator.GetBytes(1024);
    }

    [GlobalCleanup]
    public void Cleanup() => _f.Dispose();

    [Benchmark(Baseline = true)]
    public PushEnvelope SealReusedCipher() => _f.Cipher.Seal(_f.Device, "im", "trk-1", _plaintext);

    [Benchmark]
    public PushEnvelope SealNewAesGcmPerCall()
    {
        // What the cipher would do without its cache (the key already unwrapped, so only AesGcm's own setup differs).
        var associatedData = EnvelopeAssociatedData.Create("im", "trk-1", _f.Device.DeviceId);
        var nonce = new byte[PushEnvelope.NonceBytes];
        RandomNumberGenerator.Fill(nonce);
        var sealedBytes = new byte[_plaintext.Length + PushEnvelope.TagBytes];
        using (var aes = new AesGcm(_f.DeviceKey, PushEnvelope.TagBytes))
        {
            aes.Encrypt(nonce, _plaintext, sealedBytes.AsSpan(0, _plaintext.Length), sealedBytes.AsSpan(_plaintext.Length), associatedData);
        }
        return new PushEnvelope(PushEnvelope.CurrentVersion, "im", "trk-1", _f.Device.WrappedKey.KeyId, nonce, sealedBytes);
    }
}
