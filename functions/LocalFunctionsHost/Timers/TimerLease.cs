using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace LocalFunctionsHost.Timers;

/// <summary>
/// The blob lease that makes a timer a singleton across hosts (the Functions host's listener lock): blob
/// <c>locks/&lt;hostId&gt;/Host.Functions.&lt;function&gt;.Listener</c> in <c>azure-webjobs-hosts</c>, one lease id per host and function.
/// </summary>
internal sealed class TimerLease
{
    private readonly BlobClient _blob;
    private readonly BlobLeaseClient _lease;
    private readonly TimeSpan _duration;

    public TimerLease(BlobContainerClient container, string hostId, string functionName, TimeSpan duration)
    {
        _blob = container.GetBlobClient($"locks/{hostId}/Host.Functions.{functionName}.Listener");
        _lease = _blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        _duration = duration;
    }

    public TimeSpan Duration => _duration;

    /// <summary>Creates the empty lock blob unless it exists (a lease needs a blob; an existing one may be leased by another instance).</summary>
    public async Task EnsureBlobAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _blob.UploadAsync(BinaryData.Empty,
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Already there (412 when it exists and is leased): exactly what we need.
        }
    }

    /// <summary>
    /// Takes the lease, or extends it if this instance already holds it (same lease id). False when another instance
    /// holds it; other failures throw.
    /// </summary>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _lease.AcquireAsync(_duration, cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Someone deleted the lock blob (or the container was recreated): put it back and try once more.
            await EnsureBlobAsync(cancellationToken);
            try
            {
                await _lease.AcquireAsync(_duration, cancellationToken: cancellationToken);
                return true;
            }
            catch (RequestFailedException again) when (again.Status == 409)
            {
                return false;
            }
        }
    }

    /// <summary>Renews the lease; a 409 or 404 means it is no longer ours.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken) => await _lease.RenewAsync(cancellationToken: cancellationToken);

    public async Task ReleaseAsync(CancellationToken cancellationToken) => await _lease.ReleaseAsync(cancellationToken: cancellationToken);

    /// <summary>Whether a renewal failure says another instance holds the lease (or the blob is gone), rather than a transient fault.</summary>
    public static bool IsLost(RequestFailedException ex) => ex.Status is 404 or 409 or 412;
}
