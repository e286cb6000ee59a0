namespace Push.Providers.Http;

/// <summary>Reads a provider's answer body without trusting its size: a broken or hostile endpoint can't make us buffer megabytes.</summary>
internal static class ResponseBodies
{
    /// <summary>Both providers answer with small JSON; anything past this is cut (and then fails to parse, which maps to Unknown).</summary>
    public const int MaxBytes = 16 * 1024;

    public static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }
        return buffer.AsSpan(0, total).ToArray();
    }
}
