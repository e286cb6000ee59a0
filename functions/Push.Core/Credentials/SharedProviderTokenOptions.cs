namespace Push.Core.Credentials;

/// <summary>How instances share provider tokens through blob storage; section <c>ProviderTokens</c>.</summary>
public sealed class SharedProviderTokenOptions
{
    public const string SectionName = "ProviderTokens";

    /// <summary>The blob container (in AzureWebJobsStorage) holding <c>tokens/…</c>. Default <c>push-runtime</c>.</summary>
    public string ContainerName { get; set; } = "push-runtime";

    /// <summary>
    /// Once a cached token is due for refresh, how long an instance keeps using it before reading the blob
    /// again. Default 5 s: short enough to pick up another instance's token quickly, long enough that a burst
    /// of sends does not become a burst of blob reads. 1 s to 5 min.
    /// </summary>
    public TimeSpan StoreRecheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a refresh waits for another instance holding the refresh lease before giving up and using what
    /// is stored. Default 20 s (the lease itself lasts 15 s). 1 s to 2 min.
    /// </summary>
    public TimeSpan LeaseWaitTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>After a failed refresh (secret missing, store down), how long senders wait before trying again. Default 30 s.</summary>
    public TimeSpan FailureBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
