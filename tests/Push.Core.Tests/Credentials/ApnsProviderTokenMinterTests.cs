using System.Security.Cryptography;
using Push.Core.Credentials;
using Push.Testing;

namespace Push.Core.Tests.Credentials;

/// <summary>The minter reads its key from Key Vault (or a file) at each mint and checks it as the start-up check does.</summary>
[Collection(CredentialsCollection.Name)]
public sealed class ApnsProviderTokenMinterTests(AzuriteFixture azurite)
{
    // The keys are made inside the test, so no key text reaches a test's name or output.
    [Theory]
    [InlineData("brainpoolP256r1 PKCS#8", "P-256")] // 256 bits, but not P-256: ES256 is defined on P-256 only
    [InlineData("P-256 SEC1", "PKCS#8")]           // P-256, but "EC PRIVATE KEY", which is not how Apple issues a .p8
    public async Task A_key_from_key_vault_that_the_start_up_check_would_refuse_is_refused_naming_the_secret(string what, string expected)
    {
        await using var rig = await CredentialsRig.StartAsync(azurite);
        var vault = new FakeSecretClient();
        vault.Secrets["apns-auth-key-p8"] = what == "P-256 SEC1" ? Sec1Pem(ECCurve.NamedCurves.nistP256) : Pkcs8Pem(ECCurve.NamedCurves.brainpoolP256r1);
        var minter = rig.CreateMinter(rig.CreateSecrets(vault));

        var ex = await Assert.ThrowsAsync<ProviderSecretException>(() => minter.MintAsync(CancellationToken.None));

        Assert.Contains("apns-auth-key-p8", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {ex.Message}");
        Assert.Equal(0, minter.MintCount);
    }

    private static string Pkcs8Pem(ECCurve curve)
    {
        using var key = ECDsa.Create(curve);
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static string Sec1Pem(ECCurve curve)
    {
        using var key = ECDsa.Create(curve);
        return key.ExportECPrivateKeyPem();
    }
}
