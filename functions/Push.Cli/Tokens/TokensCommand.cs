using System.CommandLine;

namespace Push.Cli.Tokens;

/// <summary>
/// <c>push tokens status</c>: the provider credentials every instance shares (APNs provider JWT per team
/// key, FCM access token per service account), with their issue time and expiry — never the token,
/// only a short hash to tell two apart.
/// </summary>
public static class TokensCommand
{
    public static Command Create(CliContext context)
    {
        var status = new Command("status", "Issue time and expiry of each shared provider credential (never the credential).");
        status.SetAction(async (_, ct) =>
        {
            var tokens = await context.ProviderTokens.DescribeAsync(ct);
            if (tokens.Count == 0)
            {
                Console.WriteLine("no provider token stored yet (the RefreshProviderTokens timer mints them at start and every few minutes)");
                return 0;
            }
            var now = context.Time.GetUtcNow();
            Console.WriteLine($"{"KIND",-6} {"CREDENTIAL",-48} {"ISSUED",-20} {"EXPIRES",-20} {"AGE",-8} {"HASH",-8} STATE");
            foreach (var token in tokens)
            {
                var state = !token.Readable ? "unreadable (other key?)" : token.ExpiresAt <= now ? "expired" : "valid";
                var age = now - token.IssuedAt;
                Console.WriteLine($"{token.Kind,-6} {token.Credential,-48} {token.IssuedAt:u} {token.ExpiresAt:u} {(int)age.TotalMinutes + "m",-8} {token.TokenHash,-8} {state}");
            }
            return 0;
        });
        var tokensCommand = new Command("tokens", "Shared provider credentials.") { status };
        return tokensCommand;
    }
}
