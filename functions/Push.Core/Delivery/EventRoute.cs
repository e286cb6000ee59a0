namespace Push.Core.Delivery;

/// <summary>
/// Which queue an event arrived on. Each queue takes only its own event types, so a producer that
/// publishes an IM to the calls queue (where it would jump the line) is told so by a dead-letter.
/// </summary>
public enum EventRoute
{
    Calls,
    Messages,
    Devices,
}
