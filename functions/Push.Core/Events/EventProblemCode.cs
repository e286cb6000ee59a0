namespace Push.Core.Events;

/// <summary>Why an event was refused. Every refusal is permanent: the event is dead-lettered, never retried.</summary>
public enum EventProblemCode
{
    MalformedJson,
    NotACloudEvent,
    UnsupportedSpecVersion,
    UnknownType,
    MissingField,
    InvalidField,
    TooLarge,
    DuplicateKey,
}
