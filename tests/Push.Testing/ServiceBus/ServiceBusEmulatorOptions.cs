namespace Push.Testing.ServiceBus;

/// <summary>How a <see cref="ServiceBusEmulator"/> listens and authenticates. Defaults suit a test that starts its own.</summary>
public sealed class ServiceBusEmulatorOptions
{
    /// <summary>Plain AMQP port on 127.0.0.1 (what a <c>UseDevelopmentEmulator=true</c> connection string uses); 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>AMQP over TLS port on 127.0.0.1; 0 picks a free one. A credential-based client always connects with TLS.</summary>
    public int TlsPort { get; init; }

    /// <summary>
    /// The namespace name a credential-based client is built with; token audiences must name it (or 127.0.0.1, the host
    /// a development-emulator connection string names). A <c>.localhost</c> name never resolves off this machine.
    /// </summary>
    public string FullyQualifiedNamespace { get; init; } = "sbemu.localhost";

    /// <summary>The shared access rule the connection string names.</summary>
    public string SharedAccessKeyName { get; init; } = "RootManageSharedAccessKey";

    /// <summary>The rule's key; null generates a random one per emulator, so no key is ever written in a test.</summary>
    public string? SharedAccessKey { get; init; }

    /// <summary>The <c>max-message-size</c> the broker announces on every entity link (Standard tier: 256 KiB).</summary>
    public long MaxMessageSize { get; init; } = 256 * 1024;

    /// <summary>The optional <c>com.microsoft:max-message-batch-size</c> link property; null leaves it out.</summary>
    public long? MaxMessageBatchSize { get; init; }

    /// <summary>Clock for lock expiry, schedules and token expiry; the SDK keeps real time, so tests normally keep the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), "Port must be 0..65535.");
        if (TlsPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(TlsPort), "TlsPort must be 0..65535.");
        if (Uri.CheckHostName(FullyQualifiedNamespace) == UriHostNameType.Unknown)
            throw new ArgumentException("FullyQualifiedNamespace must be a host name.", nameof(FullyQualifiedNamespace));
        if (string.IsNullOrWhiteSpace(SharedAccessKeyName))
            throw new ArgumentException("SharedAccessKeyName must not be empty.", nameof(SharedAccessKeyName));
        if (SharedAccessKey is { Length: 0 }) throw new ArgumentException("SharedAccessKey must not be empty.", nameof(SharedAccessKey));
        if (MaxMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), "MaxMessageSize must be positive.");
        if (MaxMessageBatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBatchSize), "MaxMessageBatchSize must be positive when set.");
    }
}

/// <summary>Per-queue broker settings, as on a Service Bus queue.</summary>
public sealed class QueueOptions
{
    /// <summary>How long a peek-lock lasts before the message is redelivered (Service Bus default: 1 minute).</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Deliveries after which a message whose lock is abandoned or lost goes to the dead-letter queue (default 10).</summary>
    public int MaxDeliveryCount { get; init; } = 10;

    /// <summary>When set, a message whose id was enqueued within this window is accepted and dropped; null turns detection off.</summary>
    public TimeSpan? DuplicateDetectionWindow { get; init; }

    internal void Validate()
    {
        if (LockDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(LockDuration), "LockDuration must be positive.");
        if (MaxDeliveryCount < 1) throw new ArgumentOutOfRangeException(nameof(MaxDeliveryCount), "MaxDeliveryCount must be at least 1.");
        if (DuplicateDetectionWindow <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(DuplicateDetectionWindow), "DuplicateDetectionWindow must be positive when set.");
    }
}
