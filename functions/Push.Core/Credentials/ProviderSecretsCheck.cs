using Push.Core.Composition;
using Push.Providers.Apns;
using Push.Providers.Fcm;

namespace Push.Core.Credentials;

/// <summary>
/// At start, before any queue is read: with <c>KeyVault:Uri</c> set, the APNs key and the FCM service account are read
/// from Key Vault and checked by the same parsers as the files are (<see cref="ApnsSigningKey"/>,
/// <see cref="FcmServiceAccount"/>), so a missing secret, a refused identity or a malformed key stops the worker with a
/// message naming the secret, rather than failing every push later. With files, the options validators check them.
/// </summary>
public sealed class ProviderSecretsCheck(ProviderSecretSource secrets) : StartupCheck
{
    public override async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!secrets.UsesKeyVault) return;
        try
        {
            var pem = await secrets.GetApnsKeyPemAsync(cancellationToken).ConfigureAwait(false);
            ApnsSigningKey.Parse(pem, secrets.ApnsKeyOrigin).Dispose();
            var json = await secrets.GetFcmServiceAccountJsonAsync(cancellationToken).ConfigureAwait(false);
            _ = FcmServiceAccount.Parse(json, secrets.FcmServiceAccountOrigin, requireProjectId: false);
        }
        catch (InvalidOperationException ex)
        {
            throw new ProviderSecretException(ex.Message);
        }
    }

}
