namespace Push.Core.Routing;

/// <summary>Why a push cannot be made for a device. All are permanent: resending the same event cannot help.</summary>
public enum UnsendableReason
{
    /// <summary>Even with the preview shortened to nothing, the push exceeds the provider's size limit.</summary>
    PayloadTooLarge,

    /// <summary>The device has no token this push could go to.</summary>
    MissingToken,

    /// <summary>The event changes the registry; it is never pushed.</summary>
    NotADeliveryEvent,
}
