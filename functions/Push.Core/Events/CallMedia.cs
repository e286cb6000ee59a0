namespace Push.Core.Events;

/// <summary>The wire values of <c>data.media</c>.</summary>
public static class CallMedia
{
    public const string Audio = "audio";
    public const string Video = "video";
}
