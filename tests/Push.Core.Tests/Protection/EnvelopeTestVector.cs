namespace Push.Core.Tests.Protection;

/// <summary>The test vector published in docs/ENVELOPE.md (generated once from a throwaway key).</summary>
internal static class EnvelopeTestVector
{
    public const string KeyHex = "7f3c9a1e5b2d4c6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7";
    public const string KeyBase64 = "fzyaHlstTG+AkaKzxNXm9wgZKjtMXW5/gJGis8TV5vc=";
    public const string DeviceId = "iphone-1";
    public const string Type = "push.im.message";
    public const string TrackingId = "3b1f6a2e-7c41-4c8e-9a55-0d3e2f1a9b77";
    public const string NonceHex = "0c1d2e3f405162738495a6b7";
    public const string AadHex = "707573682d72656c61792f76310a707573682e696d2e6d6573736167650a33623166366132652d376334312d346338652d396135352d3064336532663161396237370a6970686f6e652d31";
    public const string Plaintext = """{"conversationId":"conv-1","messageId":"msg-1","from":{"name":"Bob","address":"bob@example.com"},"preview":"Lunch?","truncated":false,"unreadCount":1,"eventTime":"2026-03-01T12:00:00Z"}""";
    public const string CiphertextHex = "980053cf29783c58e864ec23f0e65c59ccce9b950f0adb0055f931c8a0a410df8acde0e0cf4620766cdd0c4367a9639b1189878942469081fdd49eabe8e8b37a976ff61ee3fbb87d65985fa7657e2a58077c0c5b1b69b55192fc2e0b4496ae277c9dce5e5dce88883684eda1df7d4daf97c7e6cfce85fa367acc11e9973f43101767142a2178c6be09399e7bd31734481c70d84f1cecac745a3cf0ebb838cd722563f27c6c14e44ded1ab04f84016ae01cec3805fcb27b9b19826d4551dcc843946d0b372ace9d0a1c";
    public const string ApnsBody = """{"aps":{"alert":{"loc-key":"PUSH_NEW_MESSAGE"},"sound":"default","mutable-content":1},"enc":{"version":1,"type":"push.im.message","trackingId":"3b1f6a2e-7c41-4c8e-9a55-0d3e2f1a9b77","keyId":"k1","nonce":"DB0uP0BRYnOElaa3","ciphertext":"mABTzyl4PFjoZOwj8OZcWczOm5UPCtsAVfkxyKCkEN-KzeDgz0YgdmzdDENnqWObEYmHiUJGkIH91J6r6Oizepdv9h7j-7h9ZZhfp2V-KlgHfAxbG2m1UZL8LgtElq4nfJ3OXl3OiIg2hO2h331Nr5fH5s_Ohfo2eswR6Zc_QxAXZxQqIXjGvgk5nnvTFzRIHHDYTxzsrHRaPPDruDjNciVj8nxsFORN7RqwT4QBauAc7DgF_LJ7mxmCbUVR3MhDlG0LNyrOnQoc"}}""";
}
