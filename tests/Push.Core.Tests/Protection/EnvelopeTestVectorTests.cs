using System.Security.Cryptography;
using System.Text;
using Push.Core.Protection;
using Push.Testing;
using Push.Testing.Phones;

namespace Push.Core.Tests.Protection;

public sealed class EnvelopeTestVectorTests
{
    [Fact]
    public void The_relay_builds_the_documented_associated_data()
    {
        var aad = EnvelopeAssociatedData.Create(EnvelopeTestVector.Type, EnvelopeTestVector.TrackingId, EnvelopeTestVector.DeviceId);

        Assert.Equal(EnvelopeTestVector.AadHex, Convert.ToHexStringLower(aad));
    }

    [Fact]
    public void The_documented_vector_re_encrypts_to_the_same_bytes()
    {
        var key = Convert.FromHexString(EnvelopeTestVector.KeyHex);
        var plaintext = Encoding.UTF8.GetBytes(EnvelopeTestVector.Plaintext);
        var output = new byte[plaintext.Length + PushEnvelope.TagBytes];
        using var aes = new AesGcm(key, PushEnvelope.TagBytes);

        aes.Encrypt(Convert.FromHexString(EnvelopeTestVector.NonceHex), plaintext, output.AsSpan(0, plaintext.Length),
            output.AsSpan(plaintext.Length),
            EnvelopeAssociatedData.Create(EnvelopeTestVector.Type, EnvelopeTestVector.TrackingId, EnvelopeTestVector.DeviceId));

        Assert.Equal(EnvelopeTestVector.CiphertextHex, Convert.ToHexStringLower(output));
        Assert.Equal(key, Convert.FromBase64String(EnvelopeTestVector.KeyBase64));
    }

    [Fact]
    public void The_documented_apns_body_opens_with_the_reference_phone()
    {
        var opened = ReferencePhone.OpenApns(Encoding.UTF8.GetBytes(EnvelopeTestVector.ApnsBody),
            Convert.FromHexString(EnvelopeTestVector.KeyHex), EnvelopeTestVector.DeviceId);

        Assert.Equal(EnvelopeTestVector.Plaintext, opened.PlaintextJson);
        Assert.ThrowsAny<CryptographicException>(() => ReferencePhone.OpenApns(Encoding.UTF8.GetBytes(EnvelopeTestVector.ApnsBody),
            Convert.FromHexString(EnvelopeTestVector.KeyHex), "iphone-2"));
    }

    [Fact]
    public void Envelope_md_publishes_exactly_this_vector()
    {
        var page = File.ReadAllText(RepositoryPaths.Combine("docs", "ENVELOPE.md"));

        foreach (var value in new[]
        {
            EnvelopeTestVector.KeyHex, EnvelopeTestVector.KeyBase64, EnvelopeTestVector.NonceHex, EnvelopeTestVector.AadHex,
            EnvelopeTestVector.Plaintext, EnvelopeTestVector.CiphertextHex, EnvelopeTestVector.ApnsBody,
        })
        {
            Assert.Contains(value, page, StringComparison.Ordinal);
        }
    }
}
