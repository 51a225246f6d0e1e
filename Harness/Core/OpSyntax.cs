using System.Globalization;

namespace UvmDiff.Harness.Core;

/// <summary>A parsed value of replay syntax.</summary>
public abstract record SyntaxNode;

/// <summary>A number, decimal or 0x-hex.</summary>
public sealed record NumberNode(ulong Value, string Text) : SyntaxNode;

/// <summary>A bare word: a name, a flag, true/false, here.</summary>
public sealed record WordNode(string Word) : SyntaxNode;

/// <summary>Words joined by '|': a flag set.</summary>
public sealed record UnionNode(IReadOnlyList<string> Words) : SyntaxNode;

/// <summary>Items joined by '+': things done together.</summary>
public sealed record ChainNode(IReadOnlyList<SyntaxNode> Items) : SyntaxNode;

/// <summary>'[' items ']'.</summary>
public sealed record ListNode(IReadOnlyList<SyntaxNode> Items) : SyntaxNode;

/// <summary>Name(args): keyed arguments for ops, one positional argument for interference acts.</summary>
public sealed record CallNode(string Name, IReadOnlyList<KeyValuePair<string?, SyntaxNode>> Args) : SyntaxNode
{
    /// <summary>The argument called <paramref name="key"/>. => throws a FormatException naming it when absent</summary>
    public SyntaxNode Arg(string key) => TryArg(key) ?? throw new FormatException($"{Name}: missing argument '{key}'");

    public SyntaxNode? TryArg(string key)
    {
        foreach (var (k, v) in Args)
        {
            if (k == key)
                return v;
        }
        return null;
    }
}

/// <summary>
/// A small recursive-descent parser for the one-line op syntax that ops print, e.g.
/// <c>Flush(obj: 2, start: 0x3000, stop: 0x9000, flags: CleanIt|Free, interference: [Free(here)+Insert(0x1000), IoError])</c>.
/// Errors are FormatExceptions that name the column and what was expected.
/// </summary>
public sealed class OpSyntax
{
    private readonly string _text;
    private int _pos;

    private OpSyntax(string text) => _text = text;

    public static CallNode ParseCall(string text)
    {
        var parser = new OpSyntax(text);
        var node = parser.Value();
        parser.SkipSpace();
        if (parser._pos != text.Length)
            throw parser.Error("unexpected text after the operation");
        return node as CallNode ?? throw new FormatException("expected an operation like Name(arg: value, ...)");
    }

    private SyntaxNode Value()
    {
        var first = Item();
        SkipSpace();
        if (Peek() == '|')
        {
            var words = new List<string> { WordOf(first) };
            while (Eat('|'))
                words.Add(WordOf(Item()));
            return new UnionNode(words);
        }
        if (Peek() == '+')
        {
            var items = new List<SyntaxNode> { first };
            while (Eat('+'))
                items.Add(Item());
            return new ChainNode(items);
        }
        return first;
    }

    private SyntaxNode Item()
    {
        SkipSpace();
        char c = Peek();
        if (c == '[')
        {
            _pos++;
            var items = new List<SyntaxNode>();
            if (!Eat(']'))
            {
                do items.Add(Value());
                while (Eat(','));
                Expect(']');
            }
            return new ListNode(items);
        }
        if (char.IsAsciiDigit(c) || c == '-')
            return Number();
        if (char.IsAsciiLetter(c) || c == '_')
        {
            string name = Identifier();
            SkipSpace();
            if (Peek() != '(')
                return new WordNode(name);
            _pos++;
            var args = new List<KeyValuePair<string?, SyntaxNode>>();
            if (!Eat(')'))
            {
                do args.Add(Argument());
                while (Eat(','));
                Expect(')');
            }
            return new CallNode(name, args);
        }
        throw Error(_pos >= _text.Length ? "unexpected end of line" : $"unexpected '{c}'");
    }

    private KeyValuePair<string?, SyntaxNode> Argument()
    {
        SkipSpace();
        int save = _pos;
        if (char.IsAsciiLetter(Peek()))
        {
            string key = Identifier();
            SkipSpace();
            if (Eat(':'))
                return new(key, Value());
            _pos = save;
        }
        return new(null, Value());
    }

    private NumberNode Number()
    {
        int start = _pos;
        if (Peek() == '-')
            throw Error("negative numbers are not allowed");
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
            _pos++;
        string text = _text[start.._pos];
        bool ok = TryParseNumber(text, out ulong value);
        if (!ok)
            throw new FormatException($"column {start + 1}: '{text}' is not a number");
        return new NumberNode(value, text);
    }

    /// <summary>A number as replay syntax and the command line write it: decimal, or hex after 0x.</summary>
    public static bool TryParseNumber(string text, out ulong value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private string Identifier()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
            _pos++;
        return _text[start.._pos];
    }

    private string WordOf(SyntaxNode node) =>
        node is WordNode w ? w.Word : throw Error("only names can be joined with '|'");

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            _pos++;
    }

    private char Peek()
    {
        SkipSpace();
        return _pos < _text.Length ? _text[_pos] : '\0';
    }

    private bool Eat(char c)
    {
        if (Peek() != c)
            return false;
        _pos++;
        return true;
    }

    /// <summary>The end of a comma-separated list: anything else there is a missing comma or closer.</summary>
    private void Expect(char c)
    {
        if (!Eat(c))
            throw Error($"expected ',' or '{c}'");
    }

    private FormatException Error(string message) => new($"column {_pos + 1}: {message}");
}
