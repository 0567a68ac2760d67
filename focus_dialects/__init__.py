"""focus's xDSL dialects, registered lazily (a dialect module is imported the first time it is needed)."""

from collections.abc import Callable

from xdsl.ir import Dialect


def get_all_dialects() -> dict[str, Callable[[], Dialect]]:
    """Dialect name -> factory, in lowering order."""

    def chip():
        from focus_dialects.chip import Chip

        return Chip

    def tensor_op():
        from focus_dialects.tensor_op import TensorOp

        return TensorOp

    def tiled_subop():
        from focus_dialects.tiled_subop import TiledSubop

        return TiledSubop

    def placed_subop():
        from focus_dialects.placed_subop import PlacedSubop

        return PlacedSubop

    def routed_message():
        from focus_dialects.routed_message import RoutedMessage

        return RoutedMessage

    def pe_isa():
        from focus_dialects.pe_isa import PeIsa

        return PeIsa

    return {
        "chip": chip,
        "tensor_op": tensor_op,
        "tiled_subop": tiled_subop,
        "placed_subop": placed_subop,
        "routed_message": routed_message,
        "pe_isa": pe_isa,
    }
