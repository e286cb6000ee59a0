using Microsoft.Extensions.Logging;

namespace Push.Core.Ledger;

public sealed partial class TableDeliveryLedger
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "Ledger {TrackingId}/{DeviceHash}: {Status} after {Attempts} attempt(s)")]
        public static partial void Recorded(ILogger logger, string trackingId, string deviceHash, DeliveryStatus status, int attempts);

        [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "Ledger {TrackingId}: {Count} entries written in one transaction")]
        public static partial void RecordedBatch(ILogger logger, string trackingId, int count);
    }
}
