/** Python's `type(value)` name for a decoded value: `int`, `datetime.date`, `__main__.Point` … */
import { isClassReference } from './leaves';
import { scalarTypeName } from './numpy-format';
import { className, PyValue } from './value';

const DICT_TYPES = { dict: 'dict', OrderedDict: 'collections.OrderedDict', Counter: 'collections.Counter', defaultdict: 'collections.defaultdict' };

export function pyTypeName(value: PyValue): string {
  switch (value.kind) {
    case 'none':
      return 'NoneType';
    case 'bytes':
      return value.mutable ? 'bytearray' : 'bytes';
    case 'dict':
      return DICT_TYPES[value.flavor];
    case 'set':
      return value.frozen ? 'frozenset' : 'set';
    case 'global':
      return isClassReference(value) ? 'type' : 'function';
    case 'member':
      return className(value.owner);
    case 'object':
    case 'ndarray':
      return className(value.cls);
    case 'datetime':
    case 'date':
    case 'time':
    case 'timedelta':
    case 'timezone':
      return `datetime.${value.kind}`;
    case 'decimal':
      return 'decimal.Decimal';
    case 'fraction':
      return 'fractions.Fraction';
    case 'dtype':
      return 'numpy.dtype';
    case 'npscalar':
      return `numpy.${scalarTypeName(value)}`;
    case 'buffer':
      return 'pickle.PickleBuffer';
    default:
      return value.kind;
  }
}
