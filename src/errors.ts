/** Base class of the errors this library throws on bad input: the message says what was wrong and where. */
export class MobilenetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A model file that cannot be read (corrupt, truncated, out-of-range offsets, wrong format). */
export class ModelFormatError extends MobilenetError {}

/** A model that uses an operator or a dtype the engine does not implement. */
export class UnsupportedError extends MobilenetError {}

/** An image that cannot be decoded, or is too large. */
export class ImageError extends MobilenetError {}

/** A tensor of the wrong shape or dtype handed to a model. */
export class ShapeError extends MobilenetError {}
