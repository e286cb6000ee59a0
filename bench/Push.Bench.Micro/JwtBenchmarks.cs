using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Push.Providers.Apns;

namespace Push.Bench.Micro;

/// <summary>Minting an ES256 provider token with the product's issuer against the bare signature it contains.</summary>
[MemoryDiagnoser]
public class JwtBenchmarks
{
    private ApnsJwtIssuer _issuer = null!;
    private ECDsa _key = null!;
    private byte[] _signingInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // A clock an hour further on at every reading: each GetAsync finds the token too old and mints.
        _issuer = new ApnsJwtIssuer("TEAM123456", "KEY1234567", issuerKey, TimeSpan.FromMinutes(50), new HourlyClock());
        _signingInput = Encoding.ASCII.GetBytes("eyJhbGciOiJFUzI1NiIsImtpZCI6IktFWTEyMzQ1NjcifQ.eyJpc3MiOiJURUFNMTIzNDU2IiwiaWF0IjoxNzAwMDAwMDAwfQ");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _issuer.Dispose();
        _key.Dispose();
    }

    [Benchmark(Baseline = true)]
    public byte[] SignOnly() => _key.SignData(_signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    [Benchmark]
    public string MintJwt() => _issuer.GetAsync(CancellationToken.None).GetAwaiter().GetResult().Jwt;

    private sealed class HourlyClock : TimeProvider
    {
        private long _hours;

        public override DateTimeOffset GetUtcNow() =>
            new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(Interlocked.Increment(ref _hours));
    }
}
