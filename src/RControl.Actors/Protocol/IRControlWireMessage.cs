namespace RControl.Protocol;

/// <summary>
/// Marks a message that crosses Akka.Remote. <c>hocon/reference.conf</c> binds this one interface to the RControl
/// serializer, whose wire form is the <c>.proto</c> schema in <c>Protocol/Wire</c>; a new message implements it and
/// gets a line in <see cref="Serialization.WireFormats"/>.
/// </summary>
internal interface IRControlWireMessage;
